import type { HandlerFactory as PreludeHandlerFactory } from 'troopy';

declare class UserSignedUp {
  constructor(username: string);
  readonly username: string;
}
declare function sendWelcomeEmail(event: UserSignedUp): Promise<void>;
declare class UpdateStatsHandler {
  handle(event: UserSignedUp): void;
}
declare const audit: { log(event: UserSignedUp): void };
declare const handlerFactory: PreludeHandlerFactory;
