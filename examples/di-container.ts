/**
 * A dependency-injection container as the handler factory.
 *
 * Handler classes declare what they need in their constructor; an awilix container knows how
 * to make those services. Giving the bus `handlerFactory: (HandlerClass) =>
 * container.build(HandlerClass)` lets the container build every class handler, on every
 * dispatch, with its dependencies filled in. The container decides lifetimes: here the
 * repository and the mailer are singletons shared by all handlers, while each dispatch gets a
 * fresh handler. Awilix's PROXY injection mode hands the constructor one object of named
 * dependencies, which keeps the wiring typed and safe under minification.
 *
 * Run alone: npx tsx examples/di-container.ts
 */
import { InjectionMode, asClass, asValue, createContainer } from 'awilix';
import { Command, CommandBus, MessageRouter } from 'troopy';
import { defineExample } from './support.js';

interface Account {
  username: string;
  registeredAt: string;
}

class AccountRepository {
  readonly #accounts = new Map<string, Account>();

  save(account: Account): void {
    this.#accounts.set(account.username, account);
  }

  find(username: string): Account | undefined {
    return this.#accounts.get(username);
  }
}

class Mailer {
  readonly #senderAddress: string;

  constructor({ senderAddress }: Pick<Services, 'senderAddress'>) {
    this.#senderAddress = senderAddress;
  }

  send(to: string, subject: string): void {
    console.log(`  [mail] from ${this.#senderAddress} to ${to}: ${subject}`);
  }
}

/** What the container can provide, by name. */
interface Services {
  senderAddress: string;
  clock: () => Date;
  accounts: AccountRepository;
  mailer: Mailer;
}

class RegisterAccount {
  constructor(readonly username: string) {}
}

class FindAccount extends Command<Account | undefined> {
  constructor(readonly username: string) {
    super();
  }
}

class RegisterAccountHandler {
  readonly #accounts: AccountRepository;
  readonly #mailer: Mailer;
  readonly #clock: () => Date;

  constructor({ accounts, mailer, clock }: Pick<Services, 'accounts' | 'mailer' | 'clock'>) {
    this.#accounts = accounts;
    this.#mailer = mailer;
    this.#clock = clock;
  }

  handle(message: RegisterAccount): void {
    this.#accounts.save({ username: message.username, registeredAt: this.#clock().toISOString() });
    this.#mailer.send(`${message.username}@example.com`, 'Welcome!');
  }
}

class FindAccountHandler {
  readonly #accounts: AccountRepository;

  constructor({ accounts }: Pick<Services, 'accounts'>) {
    this.#accounts = accounts;
  }

  handle(query: FindAccount): Account | undefined {
    return this.#accounts.find(query.username);
  }
}

const router = new MessageRouter();
router.attach(RegisterAccount, RegisterAccountHandler);
router.attach(FindAccount, FindAccountHandler);

export async function run(): Promise<void> {
  const container = createContainer<Services>({ injectionMode: InjectionMode.PROXY, strict: true });
  container.register({
    senderAddress: asValue('hello@example.com'),
    clock: asValue(() => new Date('2024-01-01T09:00:00Z')),
    accounts: asClass(AccountRepository).singleton(),
    mailer: asClass(Mailer).singleton(),
  });

  try {
    const bus = new CommandBus({ router, handlerFactory: (HandlerClass) => container.build(HandlerClass) });

    bus.dispatch(new RegisterAccount('tom'));
    const account = bus.dispatch(new FindAccount('tom'));
    console.log(`found by FindAccountHandler, which shares the singleton repository: ${JSON.stringify(account)}`);
  } finally {
    await container.dispose();
  }
}

export const example = defineExample(import.meta.url, 'an awilix container as the handlerFactory', run);
