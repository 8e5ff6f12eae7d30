import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { ConnectionEvent, Subscription } from './Subscription.js';
import * as types from './types.js';

export const resolvers: Resolvers = { Query, Mutation, Subscription, ConnectionEvent, ...types };
