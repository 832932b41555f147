/**
 * The mailbox names of the reference peers (../shared/peers/README.md, section 3).
 *
 * mesos-go can only send protobuf messages, always named `mesos.internal.<GoTypeName>`, so the
 * peers map the five roles onto five `{ required string value = 1 }` types for Go interop.
 */
export type NameScheme = 'plain' | 'mesosgo';

export type Role = 'ping' | 'pong' | 'count' | 'report' | 'report_reply';

export const NAME_SCHEMES: Readonly<
  Record<NameScheme, Readonly<Record<Role, string>>>
> = {
  plain: {
    ping: 'ping',
    pong: 'pong',
    count: 'count',
    report: 'report',
    report_reply: 'report_reply',
  },
  mesosgo: {
    ping: 'mesos.internal.FrameworkID',
    pong: 'mesos.internal.OfferID',
    count: 'mesos.internal.TaskID',
    report: 'mesos.internal.SlaveID',
    report_reply: 'mesos.internal.ExecutorID',
  },
};

/** The body of every mesos-go scheme message: `{ value }` of a string-valued protobuf type. */
export interface ValueMessage {
  value: string;
}
