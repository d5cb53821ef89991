/**
 * A custom handler factory that gives class handlers a real database connection.
 *
 * As in the Python README, `UserRegistrationHandler` needs an SQLite connection in its
 * constructor, so the default factory (`new HandlerClass()`) cannot build it. The bus is given
 * `handlerFactory: (HandlerClass) => new HandlerClass(db)`, which every class handler of this
 * bus goes through, once per dispatch. The connection is a better-sqlite3 in-memory database.
 * (The README's example stores a password; this one stores an e-mail address instead, so that
 * it does not show plain-text passwords being saved.)
 *
 * Run alone: npx tsx examples/handler-factory-sqlite.ts
 */
import Database from 'better-sqlite3';
import { Command, CommandBus, MessageRouter } from 'troopy';
import { defineExample } from './support.js';

interface UserRow {
  id: number;
  username: string;
  email: string;
}

class RegisterUser {
  constructor(
    readonly username: string,
    readonly email: string,
  ) {}
}

/** A query: `Command<R>` declares what its handler returns, so `dispatch` is typed. */
class FindUser extends Command<UserRow | undefined> {
  constructor(readonly username: string) {
    super();
  }
}

class UserRegistrationHandler {
  constructor(private readonly db: Database.Database) {}

  handle(message: RegisterUser): void {
    this.db.prepare('INSERT INTO users (username, email) VALUES (?, ?)').run(message.username, message.email);
  }
}

class FindUserHandler {
  constructor(private readonly db: Database.Database) {}

  handle(message: FindUser): UserRow | undefined {
    return this.db.prepare<[string], UserRow>('SELECT id, username, email FROM users WHERE username = ?').get(message.username);
  }
}

const router = new MessageRouter();
router.attach(RegisterUser, UserRegistrationHandler);
router.attach(FindUser, FindUserHandler);

export async function run(): Promise<void> {
  const db = new Database(':memory:');
  try {
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, email TEXT NOT NULL)');
    const bus = new CommandBus({ router, handlerFactory: (HandlerClass) => new HandlerClass(db) });

    bus.dispatch(new RegisterUser('Tom', 'tom@example.com'));
    console.log('registered Tom through UserRegistrationHandler(db)');

    const user = bus.dispatch(new FindUser('Tom'));
    console.log(`read back from sqlite: ${JSON.stringify(user)}`);
  } finally {
    db.close();
  }
}

export const example = defineExample(import.meta.url, 'handlerFactory building handlers with a better-sqlite3 connection', run);
