import { headerName, type RequestHead } from '../http/codec/index.ts';
import type { MessageBody } from '../rules/message-body.ts';
import type { ServiceRequest } from './service.ts';

/** The request a service gets: the head as received, the body the stream holds. */
export function serviceRequest(head: RequestHead, body: MessageBody, clientAddress: string): ServiceRequest {
  return {
    method: head.method,
    target: head.target,
    versionMinor: head.versionMinor,
    header: (name) => head.get(headerName(name.toLowerCase())),
    body: body.payload(),
    clientAddress,
  };
}
