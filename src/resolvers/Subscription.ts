import type { ConnectionEventResolvers, SubscriptionResolvers } from '../__generated__/resolvers-types.js';
import { eventFilterOf, type FeedItem } from '../domain/event-subscriber.js';
import { encodeGlobalId, organizationGlobalId } from '../domain/global-id.js';

export const Subscription: SubscriptionResolvers = {
  connectionEvents: {
    subscribe: (_root, { filter, after }, { connectionEvents }) => {
      // Only a subscription transport's context has the feed; POST /graphql refuses subscriptions before this.
      if (!connectionEvents) throw new Error('connectionEvents called outside a subscription transport');
      return connectionEvents(after ?? null, eventFilterOf(filter));
    },
    // An item is an event, or the error that ends the subscription (EVENTS_TRIMMED): a `next` with that error.
    resolve: (item: FeedItem) => {
      if ('error' in item) throw item.error;
      return item.event;
    },
  },
};

export const ConnectionEvent: ConnectionEventResolvers = {
  organizationId: (e) => organizationGlobalId(e.vendor, e.organizationId),
  connectionId: (e) =>
    encodeGlobalId({
      typename: 'Connection',
      vendor: e.vendor,
      organizationId: e.organizationId,
      keys: [e.connectionKey],
    }),
  source: (e) => e.source.kind,
  operation: (e) => (e.source.kind === 'MUTATION' ? e.source.operation : null),
  actor: (e) => (e.source.kind === 'MUTATION' ? e.source.actor : null),
};
