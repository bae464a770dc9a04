// A real OpenID Provider for the sign-in tests: npm's `oidc-provider` (certified for Basic,
// Config, Back-Channel and RP-Initiated Logout), on a free loopback port, with three people and
// its own development login form.
//
//   node tests/oidc/provider.mjs        prints "oidc provider listening on http://127.0.0.1:PORT"
//
// The provider needs the gateway's addresses (redirect and logout URIs) for its client, and the
// gateway needs the provider's issuer URL: so the server listens first and the client is
// registered afterwards with `POST /__test/client` (everything else answers 503 until then).
//
// Test hooks under /__test/ (this file is never part of a deployment):
// - POST /__test/client {redirect_uris, post_logout_redirect_uris, backchannel_logout_uri}
// - POST /__test/next-id-token {claims, remove, key}: the next token response's ID token gets
//   these claims (or loses them) and is signed with `key` ("current", "rotated", "unknown"),
//   so tests can present an ID token for another audience, expired, or with a wrong nonce.
// - POST /__test/rotate: the JWKS also publishes the "rotated" key from now on.
// - POST /__test/logout-token {sub, sid, claims, remove, key}: a logout token, signed.
// - GET /__test/backchannel-log: what the provider's back-channel logout calls answered.
//
// People (log in on the form with the name as login, any password):
//   ana  Ana Approver  ana@northwind.example  group copilot-approvers
//   vic  Vic Viewer    vic@northwind.example  group support
//   sam  Sam Stranger  sam@elsewhere.example  (no rule names him)

import http from 'node:http';
import { randomUUID } from 'node:crypto';
import * as jose from 'jose';
import { Provider } from 'oidc-provider';

export const CLIENT_ID = 'flowyte-copilot-gateway';
export const CLIENT_SECRET = 'test-client-secret-not-for-production';

const people = {
  ana: {
    name: 'Ana Approver',
    email: 'ana@northwind.example',
    groups: ['copilot-approvers'],
  },
  vic: { name: 'Vic Viewer', email: 'vic@northwind.example', groups: ['support'] },
  sam: { name: 'Sam Stranger', email: 'sam@elsewhere.example', groups: [] },
};

async function signingKey(kid) {
  const { privateKey, publicKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const privateJwk = { ...(await jose.exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const publicJwk = { ...(await jose.exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, privateJwk, publicJwk };
}

const keys = {
  current: await signingKey('current-key'),
  rotated: await signingKey('rotated-key'),
  unknown: await signingKey('unknown-key'),
};

let provider = null;
let nextIdToken = null;
let rotated = false;
const backchannelLog = [];

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/__test/')) {
    testHook(req, res).catch((error) => reply(res, 500, { error: String(error) }));
  } else if (provider) {
    provider.callback()(req, res);
  } else {
    reply(res, 503, { error: 'the test client is not registered yet' });
  }
});

await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : {};
}

async function sign(payload, keyName = 'current', typ) {
  const key = keys[keyName];
  if (!key) throw new Error(`no key named ${keyName}`);
  return new jose.SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, ...(typ ? { typ } : {}) })
    .sign(key.privateKey);
}

function edited(payload, { claims = {}, remove = [] }) {
  const out = { ...payload, ...claims };
  for (const name of remove) delete out[name];
  return out;
}

async function testHook(req, res) {
  const path = req.url.split('?')[0];
  if (req.method === 'POST' && path === '/__test/client') {
    provider = build(await readJson(req));
    return reply(res, 200, { issuer });
  }
  if (req.method === 'POST' && path === '/__test/next-id-token') {
    nextIdToken = await readJson(req);
    return reply(res, 200, {});
  }
  if (req.method === 'POST' && path === '/__test/rotate') {
    rotated = true;
    return reply(res, 200, {});
  }
  if (req.method === 'POST' && path === '/__test/logout-token') {
    const body = await readJson(req);
    const now = Math.floor(Date.now() / 1000);
    const payload = edited(
      {
        iss: issuer,
        aud: CLIENT_ID,
        iat: now,
        exp: now + 120,
        jti: randomUUID(),
        events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
        ...(body.sub ? { sub: body.sub } : {}),
        ...(body.sid ? { sid: body.sid } : {}),
      },
      body,
    );
    return reply(res, 200, { token: await sign(payload, body.key, 'logout+jwt') });
  }
  if (req.method === 'GET' && path === '/__test/backchannel-log') {
    return reply(res, 200, backchannelLog);
  }
  return reply(res, 404, { error: 'no such test hook' });
}

function build(client) {
  const oidc = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        backchannel_logout_session_required: true,
        ...client,
      },
    ],
    jwks: { keys: [keys.current.privateJwk] },
    cookies: { keys: ['test-cookie-signing-key'] },
    pkce: { required: () => true },
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    // ID tokens carry the claims themselves, as most providers configure them for a BFF.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // The default page loads a web font; this one loads nothing.
        logoutSource: async (ctx, form) => {
          ctx.body = `<!doctype html><title>Sign out</title>${form}
            <button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>`;
        },
      },
    },
    async findAccount(_ctx, id) {
      const person = people[id];
      if (!person) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, ...person, email_verified: true };
        },
      };
    },
  });
  oidc.proxy = false;
  oidc.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && nextIdToken && ctx.body?.id_token) {
      const change = nextIdToken;
      nextIdToken = null;
      ctx.body = {
        ...ctx.body,
        id_token: await sign(edited(jose.decodeJwt(ctx.body.id_token), change), change.key),
      };
    }
    if (ctx.path === '/jwks' && rotated && ctx.body?.keys) {
      ctx.body = { keys: [...ctx.body.keys, keys.rotated.publicJwk] };
    }
  });
  oidc.on('backchannel.success', (_client, accountId, sid) => {
    backchannelLog.push({ ok: true, accountId, sid });
  });
  oidc.on('backchannel.error', (_client, error, accountId, sid) => {
    backchannelLog.push({ ok: false, accountId, sid, error: String(error) });
  });
  return oidc;
}

console.log(`oidc provider listening on ${issuer}`);
process.on('SIGTERM', () => process.exit(0));
