/** The certificate and CA stores of a runtime API target (one configuration generation), built on first use. */
import type { RuntimeTarget } from '../target.ts';
import { CaStore } from './ca-store.ts';
import { CertificateStore } from './certificate-store.ts';

interface Stores {
  readonly certificates: CertificateStore;
  readonly cas: CaStore;
}

const stores = new WeakMap<RuntimeTarget, Stores>();

function storesOf(target: RuntimeTarget): Stores {
  let found = stores.get(target);
  if (found === undefined) {
    const frontends = target.proxies.flatMap((p) => (p.frontend !== undefined ? [p.frontend] : []));
    const backends = target.proxies.flatMap((p) => (p.backend !== undefined ? [p.backend] : []));
    const certificates = new CertificateStore(frontends, backends);
    found = { certificates, cas: new CaStore(certificates) };
    stores.set(target, found);
  }
  return found;
}

export function certificateStoreOf(target: RuntimeTarget): CertificateStore {
  return storesOf(target).certificates;
}

export function caStoreOf(target: RuntimeTarget): CaStore {
  return storesOf(target).cas;
}
