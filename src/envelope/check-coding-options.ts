import { describe } from '../describe.js';
import type { Codec } from './codec.js';
import type { MessageCodingOptions } from './envelope.js';
import type { MessageRegistry } from './message-registry.js';

/**
 * Checks the `registry` and `codec` options of a worker or sender at construction, so that a
 * value that is not what the types say (the `JsonCodec` class instead of an instance, `{}`, a
 * `Map`) is refused at once rather than failing every message later. A registry needs the
 * `findByName` and `definitionOf` methods, a codec `encode`, `decode` and a non-empty
 * `contentType` string; each may be `undefined` for the default.
 *
 * @internal
 * @throws {TypeError} naming the owner, the option, what it needs and the value received.
 */
export function checkCodingOptions(owner: string, registry: unknown, codec: unknown): MessageCodingOptions {
  const badRegistry = registry === undefined ? undefined : lacking(registry, ['findByName', 'definitionOf']);
  if (badRegistry !== undefined) {
    throw new TypeError(`${owner} option "registry" must be a MessageRegistry, such as messageRegistry or new MessageRegistry(); got ${badRegistry}.`);
  }
  const badCodec = codec === undefined ? undefined : lacking(codec, ['encode', 'decode'], 'contentType');
  if (badCodec !== undefined) {
    throw new TypeError(
      `${owner} option "codec" must be a codec, such as new JsonCodec(): an object with encode and decode methods and a contentType string; got ${badCodec}.`,
    );
  }
  return { registry: registry as MessageRegistry | undefined, codec: codec as Codec | undefined };
}

/** `undefined` when the value is an object with these methods (and a non-empty `text` string), else what it is and lacks. */
function lacking(value: unknown, methods: readonly string[], text?: string): string | undefined {
  if (typeof value !== 'object' || value === null) return describe(value);
  const record = value as Record<string, unknown>;
  const missing = methods.filter((method) => typeof record[method] !== 'function');
  if (text !== undefined && (typeof record[text] !== 'string' || record[text] === '')) missing.push(text);
  return missing.length === 0 ? undefined : `${describe(value)} without ${missing.join(', ')}`;
}
