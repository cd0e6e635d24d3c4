// Relay metrics (prefix graspd_).
import { prom, registry } from '../metrics/registry.js';

export const ingestMetrics = {
  events: new prom.Counter({ name: 'graspd_events_total', help: 'events received, by source and result', labelNames: ['source', 'result'], registers: [registry] }),
  released: new prom.Counter({ name: 'graspd_purgatory_released_total', help: 'events released from purgatory', registers: [registry] }),
};

export const connectionMetrics = {
  open: new prom.Gauge({ name: 'graspd_ws_connections', help: 'open WebSocket connections', registers: [registry] }),
  addresses: new prom.Gauge({ name: 'graspd_ws_client_addresses', help: 'distinct client addresses with an open WebSocket connection (behind --trusted-proxy: the forwarded client)', registers: [registry] }),
  refused: new prom.Counter({ name: 'graspd_ws_connections_refused_total', help: 'WebSocket upgrades refused, by reason (per_ip_limit: --max-connections-per-ip)', labelNames: ['reason'], registers: [registry] }),
  subscriptions: new prom.Gauge({ name: 'graspd_ws_subscriptions', help: 'open REQ subscriptions', registers: [registry] }),
  messages: new prom.Counter({ name: 'graspd_ws_messages_total', help: 'client messages by type', labelNames: ['type'], registers: [registry] }),
  notices: new prom.Counter({ name: 'graspd_ws_notices_total', help: 'NOTICE/CLOSED answers to bad frames', registers: [registry] }),
  dropped: new prom.Counter({ name: 'graspd_ws_slow_clients_dropped_total', help: 'connections closed because their output queue overflowed', registers: [registry] }),
};
