import { MessageRouter as PreludeRouter } from 'troopy';

interface User {
  readonly id: string;
  readonly name: string;
}
declare const users: { find(id: string): Promise<User>; count(): number };
declare const router: PreludeRouter;
