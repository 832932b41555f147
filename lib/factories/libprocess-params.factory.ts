import type { ParamData } from '@nestjs/common';
import type { ParamsFactory } from '@nestjs/core';
import { RpcParamtype } from '@nestjs/microservices/enums/rpc-paramtype.enum.js';

/**
 * Resolves `@Payload()` (the body, or one field of a decoded protobuf message) and `@Ctx()`
 * (the `LibprocessContext`) for mailbox handlers, as Nest does for RPC handlers.
 */
export class LibprocessParamsFactory implements ParamsFactory {
  exchangeKeyForValue(type: number, data: ParamData, args: unknown[]): unknown {
    if (!args) return null;
    switch (type as RpcParamtype) {
      case RpcParamtype.PAYLOAD:
        return data
          ? (args[0] as Record<string, unknown> | undefined)?.[data as string]
          : args[0];
      case RpcParamtype.CONTEXT:
        return args[1];
      default:
        return null;
    }
  }
}
