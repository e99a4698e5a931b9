// The container image's HEALTHCHECK: a GET to SWITCHYARD_HEALTH_URL (a frontend's
// `monitor-uri`, say) must answer 2xx or 3xx within 2 s. Without the variable there is nothing
// to ask, and the container counts as healthy while its process runs.
import { request } from 'node:http';

const url = process.env.SWITCHYARD_HEALTH_URL;
if (url === undefined || url === '') process.exit(0);
const req = request(url, { agent: false, timeout: 2000 }, (res) => {
  res.resume();
  process.exit(res.statusCode !== undefined && res.statusCode < 400 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', () => process.exit(1));
req.end();
