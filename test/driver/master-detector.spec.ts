import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';

import {
  createMasterDetector,
  InvalidMasterError,
  leaderZnode,
  parseZooKeeperUrl,
  StandaloneMasterDetector,
  ZooKeeperMasterDetector,
} from '../../lib/mesos/index.js';
import {
  ipToUint32,
  parseMasterInfoJson,
  uint32ToIp,
} from '../../lib/mesos/detector/master-info.js';

describe('master detection', () => {
  it('parses zk:// URLs with credentials, several servers and a path', () => {
    expect(parseZooKeeperUrl('zk://u:p@h1:2181,h2:2182/mesos/')).toEqual({
      servers: 'h1:2181,h2:2182',
      path: '/mesos',
      auth: 'u:p',
    });
    expect(parseZooKeeperUrl('zk://127.0.0.1:2181')).toEqual({
      servers: '127.0.0.1:2181',
      path: '/',
    });
    expect(() => parseZooKeeperUrl('zk://h1/mesos')).toThrow(/host:port/);
  });

  it('elects the lowest json.info_ sequence, ignoring other znodes', () => {
    expect(
      leaderZnode([
        'json.info_0000000012',
        'log_replicas',
        'info_0000000001',
        'json.info_0000000003',
      ]),
    ).toBe('json.info_0000000003');
    expect(leaderZnode(['log_replicas'])).toBeUndefined();
  });

  it('reads the MasterInfo JSON a Mesos 1.12 master writes', () => {
    const info = parseMasterInfoJson(
      '{"address":{"hostname":"127.0.0.1","ip":"127.0.0.1","port":33201},"capabilities":[{"type":"AGENT_UPDATE"}],"hostname":"127.0.0.1","id":"c7e3b46a","ip":16777343,"pid":"master@127.0.0.1:33201","port":33201,"version":"1.12.0"}',
    );
    expect(info).toMatchObject({
      id: 'c7e3b46a',
      pid: 'master@127.0.0.1:33201',
      ip: 16777343,
      port: 33201,
      version: '1.12.0',
    });
    expect(parseMasterInfoJson('not json')).toBeUndefined();
    expect(parseMasterInfoJson('{"port": 5050}')).toBeUndefined();
    expect(ipToUint32('127.0.0.1')).toBe(16777343);
    expect(uint32ToIp(16777343)).toBe('127.0.0.1');
  });

  it('creates the detector of each --master form, file:// holding either', () => {
    expect(createMasterDetector('10.0.0.1:5050')).toBeInstanceOf(
      StandaloneMasterDetector,
    );
    expect(createMasterDetector('master@10.0.0.1:5050').description).toBe(
      '10.0.0.1:5050',
    );
    const dir = mkdtempSync(join(tmpdir(), 'detector-'));
    const file = join(dir, 'master');
    writeFileSync(file, 'zk://127.0.0.1:2181/mesos\n');
    const zk = createMasterDetector(pathToFileURL(file).href);
    expect(zk).toBeInstanceOf(ZooKeeperMasterDetector);
    expect(zk.description).toBe('zk://127.0.0.1:2181/mesos');
    for (const bad of ['nowhere', 'zk://x/mesos', 'file:///does/not/exist']) {
      expect(() => createMasterDetector(bad)).toThrow(InvalidMasterError);
    }
  });
});
