// The demo's OpenID provider, for scripts/dev.sh: the local provider (provider.mjs) on a fixed port
// with fresh keys, the pages of the worker at --pages registered as its public client, until killed.
//   node tests/oidc/serve.mjs --port 8790 --pages http://127.0.0.1:8787    serve
//   node tests/oidc/serve.mjs --port 8790 --config                         print EARSHOT_OIDC for it
//   node tests/oidc/serve.mjs --port 8790 --accounts                       print who can sign in
import { parseArgs } from 'node:util';
import { exampleConfig } from './accounts.mjs';
import { ACCOUNTS, CLIENT_ID, LocalProvider, signingKey } from './provider.mjs';

const { values } = parseArgs({ options: {
  port: { type: 'string', default: '8790' }, pages: { type: 'string' },
  config: { type: 'boolean' }, accounts: { type: 'boolean' },
} });
const provider = new LocalProvider(Number(values.port));

if (values.config) {
  console.log(JSON.stringify(exampleConfig(provider.issuer, CLIENT_ID)));
} else if (values.accounts) {
  for (const [login, { name, groups }] of Object.entries(ACCOUNTS)) {
    console.log(`  ${login.padEnd(5)} ${name.padEnd(15)} ${groups.join(', ')}`);
  }
} else {
  if (!values.pages) throw new Error('--pages <the worker\'s base URL> is required to serve');
  await provider.start({ keys: [signingKey('RS256')], alg: 'RS256', pages: values.pages });
  console.log(`[oidc] provider ready at ${provider.issuer}`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => provider.stop().then(() => process.exit(0)));
}
