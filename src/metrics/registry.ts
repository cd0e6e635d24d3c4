// One Prometheus registry for the process. Each area declares its own metrics (prefix graspd_) against it.
import client from 'prom-client';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'graspd_' });

export { client as prom };
