import { describe, expect, it } from '@jest/globals';
import {
  Call_Type,
  loadMesosProtos,
  MESOS_CONVERSION,
  MesosMessage,
  Offer_Operation_Type,
  TaskState,
  type Call,
} from '../../lib/mesos/index.js';

const root = loadMesosProtos();

function roundTrip<T>(typeName: string, message: T): T {
  const type = root.lookupType(typeName);
  const bytes = type.encode(type.fromObject(message as object)).finish();
  return type.toObject(type.decode(bytes), MESOS_CONVERSION) as T;
}

describe('Mesos protos and their generated types', () => {
  it('declares every libprocess message name the package sends or handles', () => {
    for (const name of Object.values(MesosMessage)) {
      expect(() => root.lookupType(name)).not.toThrow();
    }
  });

  it('generated enums name exactly the values of the .proto enums', () => {
    const pairs: Array<[string, Record<string, string>]> = [
      ['mesos.TaskState', TaskState],
      ['mesos.scheduler.Call.Type', Call_Type],
      ['mesos.Offer.Operation.Type', Offer_Operation_Type],
    ];
    for (const [name, generated] of pairs) {
      const values = Object.keys(root.lookupEnum(name).values).sort();
      const names = Object.keys(generated)
        .filter((key) => key !== 'UNRECOGNIZED')
        .sort();
      expect(names).toEqual(values);
    }
  });

  it('carries every offer operation through ACCEPT with upstream field numbers', () => {
    const resource = {
      name: 'disk',
      type: 'SCALAR' as const,
      scalar: { value: 64 },
      reservations: [{ type: 'DYNAMIC' as const, role: 'web', principal: 'p' }],
      disk: {
        persistence: { id: 'vol-1', principal: 'p' },
        volume: { mode: 'RW' as const, container_path: 'data' },
      },
    };
    const call: Call = {
      type: 'ACCEPT',
      framework_id: { value: 'fw' },
      accept: {
        offer_ids: [{ value: 'o1' }],
        operations: [
          { type: 'RESERVE', reserve: { resources: [resource] } },
          { type: 'UNRESERVE', unreserve: { resources: [resource] } },
          { type: 'CREATE', create: { volumes: [resource] } },
          { type: 'DESTROY', destroy: { volumes: [resource] } },
          {
            type: 'GROW_VOLUME',
            grow_volume: { volume: resource, addition: resource },
          },
          {
            type: 'SHRINK_VOLUME',
            shrink_volume: { volume: resource, subtract: { value: 1 } },
          },
          {
            type: 'CREATE_DISK',
            create_disk: { source: resource, target_type: 'MOUNT' },
          },
          { type: 'DESTROY_DISK', destroy_disk: { source: resource } },
          {
            type: 'LAUNCH_GROUP',
            launch_group: {
              executor: {
                executor_id: { value: 'e' },
                type: 'DEFAULT',
                resources: [],
              },
              task_group: {
                tasks: [
                  {
                    name: 't',
                    task_id: { value: 't1' },
                    slave_id: { value: 's' },
                    kill_policy: {
                      grace_period: { nanoseconds: '5000000000' },
                    },
                    labels: { labels: [{ key: 'k', value: 'v' }] },
                  },
                ],
              },
            },
          },
        ],
        filters: { refuse_seconds: 1 },
      },
    };
    const decoded = roundTrip('mesos.scheduler.Call', call);
    // Every field comes back (decoding adds the empty repeated fields: `arrays`).
    expect(decoded).toMatchObject(call);
    // Field numbers are the wire: RESERVE's resources are field 3 of Offer.Operation, field 1 inside.
    const bytes = root
      .lookupType('mesos.Offer.Operation')
      .encode({ type: 2, reserve: { resources: [] } })
      .finish();
    expect([...bytes]).toEqual([0x08, 0x02, 0x1a, 0x00]);
  });

  it('decodes the authentication exchange and inverse offers', () => {
    expect(
      roundTrip('mesos.internal.AuthenticationStartMessage', {
        mechanism: 'CRAM-MD5',
        data: Buffer.from('x'),
      }),
    ).toEqual({ mechanism: 'CRAM-MD5', data: Buffer.from('x') });
    expect(
      roundTrip('mesos.internal.AuthenticationErrorMessage', {
        error: 'No authenticator loaded',
      }),
    ).toEqual({ error: 'No authenticator loaded' });
    const inverse = {
      inverse_offers: [
        {
          id: { value: 'io' },
          framework_id: { value: 'fw' },
          unavailability: { start: { nanoseconds: '1700000000000000000' } },
          resources: [],
        },
      ],
      pids: ['slave(1)@127.0.0.1:5051'],
    };
    expect(roundTrip('mesos.internal.InverseOffersMessage', inverse)).toEqual(
      inverse,
    );
  });
});
