import { MessageRouter as PreludeRouter } from 'troopy';

declare const router: PreludeRouter;
declare class AddNumbers {
  readonly a: number;
  readonly b: number;
}
declare class RegisterUser {
  readonly username: string;
}
declare class SendReceipt {
  readonly email: string;
}
declare class Database {}
declare const mailer: { send(email: string): Promise<void> };
