import type { Middleware as PreludeMiddleware } from 'troopy';

declare const transactions: PreludeMiddleware;
declare const caching: PreludeMiddleware;
