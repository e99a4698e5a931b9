/**
 * `http-check send-state`: the `X-Haproxy-Server-State` header HAProxy adds to each HTTP check
 * request (check.c httpchk_build_status_header), e.g.
 *
 *   UP 2/3; address=10.0.0.1; port=80; name=be/s1; node=lb1; weight=1/2; scur=0/0; qcur=0
 *
 * The health part is "UP" / "DOWN" when settled, "UP n/fall" while going down, "DOWN n/rise"
 * while coming up; weights are the server's and the backend's total of usable servers.
 */
import type { Backend } from '../proxy/backend.ts';
import type { Server } from '../proxy/server.ts';

export function serverStateHeader(backend: Backend, server: Server, node: string): string {
  const check = server.checkState;
  let state: string;
  if (check === undefined) state = 'no check';
  else if (server.status !== 'DOWN' && server.status !== 'MAINT') {
    const word = server.status === 'NOLB' ? 'NOLB' : 'UP';
    state = check.health === check.rise + check.fall - 1 ? word : `${word} ${check.health - check.rise + 1}/${check.fall}`;
  } else state = check.health > 0 ? `DOWN ${check.health}/${check.rise}` : 'DOWN';
  let total = 0;
  let sessions = 0;
  for (const s of backend.servers) {
    if (s.usable && !s.backup) total += s.weight;
    sessions += s.processActive;
  }
  return (
    `${state}; address=${server.host}; port=${server.port}; name=${backend.name}/${server.name}; node=${node}; ` +
    `weight=${server.usable ? server.weight : 0}/${total}; scur=${server.processActive}/${sessions}; qcur=${server.queue.length}`
  );
}
