import type { StandardSchema } from './standard-schema.js';
import { invalidOption, numberOption } from '../check-option.js';
import { describe, isClass } from '../describe.js';
import type { MessageClass } from '../message-router.js';
import { DuplicateMessageNameError, MissingMessageNameError } from './message-name-errors.js';

/** What the registry knows about one message class. */
export interface MessageDefinition {
  /** The class that instances are revived into. */
  readonly messageClass: MessageClass;
  /** The stable name on the wire, such as `billing.send-invoice`. */
  readonly name: string;
  /** The payload's version; a message of another version is refused when decoded. */
  readonly version: number;
  /** Validates the payload when a message is decoded, or `undefined` for none. */
  readonly schema: StandardSchema | undefined;
}

/** Options of a message name: its version and an optional payload schema. */
export interface MessageNameOptions {
  /**
   * The payload's version, a positive integer. Raise it when the payload changes in a way old
   * consumers cannot read; messages of another version are dead-lettered as `unknown-message`.
   * @default 1
   */
  readonly version?: number | undefined;
  /**
   * A Standard Schema (zod 4, valibot, arktype...) that validates the payload when a message
   * is decoded; its output becomes the command's data. @default no validation
   */
  readonly schema?: StandardSchema | undefined;
}

/** What {@link MessageRegistry.register} takes: the name and its options. */
export interface MessageRegistration extends MessageNameOptions {
  /** The stable name on the wire: 1 to 255 of letters, digits and `. _ - : / @`, starting with a letter or digit. */
  readonly name: string;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,254}$/;

/**
 * Maps message classes to stable names on the wire, and names back to classes.
 *
 * Rules: a class has exactly one name and a name exactly one class; names are not inherited
 * by subclasses; lookups by class are by the exact class. Registering the very same definition
 * twice is allowed and changes nothing.
 *
 * @example
 * const registry = new MessageRegistry();
 * registry.register(SendInvoice, { name: 'billing.send-invoice', version: 2, schema: SendInvoiceSchema });
 * registry.nameOf(SendInvoice); // 'billing.send-invoice'
 */
export class MessageRegistry {
  readonly #byClass = new Map<MessageClass, MessageDefinition>();
  readonly #byName = new Map<string, MessageDefinition>();

  /**
   * Gives a class its name on the wire; returns the stored definition.
   *
   * @throws {TypeError} when `messageClass` is not a class, or the name, version or schema is not valid.
   * @throws {DuplicateMessageNameError} when the name belongs to another class, or the class is
   * already registered with another name, version or schema.
   */
  register(messageClass: MessageClass, registration: MessageRegistration): MessageDefinition {
    if (!isClass(messageClass)) {
      throw new TypeError(`register expects a message class as its first argument (class SendInvoice {}); got ${describe(messageClass)}.`);
    }
    if (typeof registration !== 'object' || (registration as unknown) === null) {
      throw new TypeError(`register expects { name, version?, schema? } as its second argument; got ${describe(registration)}.`);
    }
    const definition: MessageDefinition = Object.freeze({ messageClass, ...checkMessageName('register', registration.name, registration) });
    const byName = this.#byName.get(definition.name);
    if (byName !== undefined && byName.messageClass !== messageClass) {
      throw new DuplicateMessageNameError(messageClass, definition.name, byName);
    }
    const byClass = this.#byClass.get(messageClass);
    if (byClass !== undefined) {
      if (byClass.name === definition.name && byClass.version === definition.version && byClass.schema === definition.schema) return byClass;
      throw new DuplicateMessageNameError(messageClass, definition.name, byClass);
    }
    this.#byClass.set(messageClass, definition);
    this.#byName.set(definition.name, definition);
    return definition;
  }

  /** The definition of exactly this class, or `undefined` when it has no name. */
  findByClass(messageClass: MessageClass): MessageDefinition | undefined {
    return this.#byClass.get(messageClass);
  }

  /** The definition registered under a name, or `undefined`. */
  findByName(name: string): MessageDefinition | undefined {
    return this.#byName.get(name);
  }

  /**
   * The definition of exactly this class.
   *
   * @throws {MissingMessageNameError} when the class has no name; the message says how to give it one.
   */
  definitionOf(messageClass: MessageClass): MessageDefinition {
    const definition = this.#byClass.get(messageClass);
    if (definition !== undefined) return definition;
    throw new MissingMessageNameError(messageClass, this.#namedAncestor(messageClass));
  }

  /**
   * The name on the wire of exactly this class.
   *
   * @throws {MissingMessageNameError} when the class has no name.
   */
  nameOf(messageClass: MessageClass): string {
    return this.definitionOf(messageClass).name;
  }

  #namedAncestor(messageClass: MessageClass): MessageDefinition | undefined {
    if (typeof messageClass !== 'function') return undefined;
    for (let parent: unknown = Object.getPrototypeOf(messageClass); typeof parent === 'function'; parent = Object.getPrototypeOf(parent)) {
      const definition = this.#byClass.get(parent as MessageClass);
      if (definition !== undefined) return definition;
    }
    return undefined;
  }
}

/** The registry that {@link messageName} registers into and the envelope uses by default. */
export const messageRegistry = new MessageRegistry();

/**
 * Checks a message name and its options, and fills in the defaults.
 * Shared by `register` and `messageName` so both refuse the same input with the same words.
 *
 * @internal
 * @throws {TypeError} naming the option, the rule and the value received.
 */
export function checkMessageName(caller: string, name: unknown, options: MessageNameOptions | undefined): Omit<MessageDefinition, 'messageClass'> {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new TypeError(
      `${caller} expects a message name of 1 to 255 letters, digits and . _ - : / @, starting with a letter or digit ` +
        `(such as 'billing.send-invoice'); got ${describe(name)}.`,
    );
  }
  if (options !== undefined && (typeof options !== 'object' || (options as unknown) === null)) {
    throw invalidOption(caller, 'options', 'an object { version?, schema? }', options);
  }
  const version = numberOption(caller, 'version', options?.version, 1, { min: 1, integer: true });
  const schema = options?.schema;
  if (schema !== undefined && !isStandardSchema(schema)) {
    throw invalidOption(caller, 'schema', "a Standard Schema (an object with '~standard'.validate, such as a zod 4, valibot or arktype schema)", schema);
  }
  return { name, version, schema };
}

function isStandardSchema(value: unknown): value is StandardSchema {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const standard = (value as { '~standard'?: unknown })['~standard'];
  return typeof standard === 'object' && standard !== null && typeof (standard as { validate?: unknown }).validate === 'function';
}
