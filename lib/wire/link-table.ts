import type { Upid } from './upid.js';

/** A link `from -> to`: `from` watches the connection to `to`'s address. */
export interface Link {
  readonly from: Upid;
  readonly to: Upid;
  /** Whether 'linked' was reported (it is, once the connection is established). */
  announced: boolean;
}

/**
 * Every link of a node, in one structure: by linking process (for `linksOf` and `unlink`)
 * and by remote address (a connection that closes ends the links to every process there).
 * Pure bookkeeping: it opens nothing and emits nothing.
 */
export class LinkTable {
  /** from -> (to -> link). */
  private readonly byFrom = new Map<string, Map<string, Link>>();
  /** to.address -> links to processes at that address. */
  private readonly byAddress = new Map<string, Set<Link>>();

  /** Number of links. */
  get size(): number {
    let size = 0;
    for (const links of this.byAddress.values()) size += links.size;
    return size;
  }

  /** Records `from -> to`; undefined when that link exists already. */
  add(from: Upid, to: Upid): Link | undefined {
    const fromKey = from.toString();
    let links = this.byFrom.get(fromKey);
    const toKey = to.toString();
    if (links?.has(toKey)) return undefined;
    if (links === undefined) {
      links = new Map();
      this.byFrom.set(fromKey, links);
    }
    const link: Link = { from, to, announced: false };
    links.set(toKey, link);
    let atAddress = this.byAddress.get(to.address);
    if (atAddress === undefined) {
      atAddress = new Set();
      this.byAddress.set(to.address, atAddress);
    }
    atAddress.add(link);
    return link;
  }

  /** Forgets `from -> to`; false when there was no such link. */
  remove(from: Upid, to: Upid): boolean {
    const fromKey = from.toString();
    const links = this.byFrom.get(fromKey);
    const link = links?.get(to.toString());
    if (link === undefined) return false;
    links!.delete(to.toString());
    if (links!.size === 0) this.byFrom.delete(fromKey);
    const atAddress = this.byAddress.get(to.address)!;
    atAddress.delete(link);
    if (atAddress.size === 0) this.byAddress.delete(to.address);
    return true;
  }

  /** The processes `from` is linked to. */
  linksOf(from: Upid): Upid[] {
    const links = this.byFrom.get(from.toString());
    return links === undefined
      ? []
      : Array.from(links.values(), (link) => link.to);
  }

  /** The links to processes at `address` (live view; do not modify while iterating). */
  at(address: string): ReadonlySet<Link> {
    return this.byAddress.get(address) ?? NO_LINKS;
  }

  /** Removes and returns every link to a process at `address` (its connection is gone). */
  takeAt(address: string): Link[] {
    const atAddress = this.byAddress.get(address);
    if (atAddress === undefined) return [];
    this.byAddress.delete(address);
    const taken = [...atAddress];
    for (const link of taken) {
      const fromKey = link.from.toString();
      const links = this.byFrom.get(fromKey)!;
      links.delete(link.to.toString());
      if (links.size === 0) this.byFrom.delete(fromKey);
    }
    return taken;
  }

  clear(): void {
    this.byFrom.clear();
    this.byAddress.clear();
  }
}

const NO_LINKS: ReadonlySet<Link> = new Set();
