import {
  ActorRef,
  OnExited,
  OnLinked,
  Process,
  type Upid,
} from '../lib/index.js';

/** What the linker observed, in order. */
export type LinkEvent =
  { event: 'linked'; to: Upid } | { event: 'exited'; pid: Upid };

/**
 * The client of `link`: links to a remote process and reports when the link is up and when
 * the remote goes away (its node's socket closed, or could not be opened at all).
 */
@Process('linker')
export class LinkerProcess {
  /** Called for each link event, in the order they happen. */
  onEvent?: (event: LinkEvent) => void;

  constructor(private readonly actors: ActorRef) {}

  link(to: Upid): void {
    this.actors.link(to, { from: this });
  }

  @OnLinked()
  linked(to: Upid): void {
    this.onEvent?.({ event: 'linked', to });
  }

  @OnExited()
  exited(pid: Upid): void {
    this.onEvent?.({ event: 'exited', pid });
  }
}
