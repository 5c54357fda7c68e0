// npm undici's agents, for proxies and TLS settings (src/http/dispatcher.ts).
export { Agent, EnvHttpProxyAgent, ProxyAgent } from 'undici';
