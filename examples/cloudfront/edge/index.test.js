'use strict';
// Run with: node --test examples/cloudfront/edge/
const test = require('node:test');
const assert = require('node:assert/strict');
const { handler } = require('./index.js');

// An origin-response event as CloudFront sends it (header names lower case,
// each a list of {key, value}).
function event(status, headers) {
  return {
    Records: [{
      cf: {
        config: { distributionDomainName: 'd111111abcdef8.cloudfront.net', eventType: 'origin-response', requestId: 'x' },
        request: { clientIp: '203.0.113.178', method: 'GET', uri: '/report', querystring: '', headers: {} },
        response: { status: String(status), statusDescription: 'Unauthorized', headers },
      },
    }],
  };
}

const challenge = 'Basic realm="report", charset="UTF-8"';

test('renames formgate\'s X-WWW-Authenticate on a 401', async () => {
  const res = await handler(event(401, {
    'x-www-authenticate': [{ key: 'X-WWW-Authenticate', value: challenge }],
    'content-type': [{ key: 'Content-Type', value: 'text/html; charset=utf-8' }],
  }));
  assert.equal(res.status, '401');
  assert.deepEqual(res.headers['www-authenticate'], [{ key: 'WWW-Authenticate', value: challenge }]);
  assert.equal(res.headers['x-www-authenticate'], undefined);
  assert.deepEqual(res.headers['content-type'], [{ key: 'Content-Type', value: 'text/html; charset=utf-8' }]);
});

test('restores API Gateway\'s remapped header', async () => {
  const res = await handler(event(401, {
    'x-amzn-remapped-www-authenticate': [{ key: 'x-amzn-Remapped-WWW-Authenticate', value: challenge }],
  }));
  assert.deepEqual(res.headers['www-authenticate'], [{ key: 'WWW-Authenticate', value: challenge }]);
  assert.equal(res.headers['x-amzn-remapped-www-authenticate'], undefined);
});

test('keeps a real WWW-Authenticate and drops the copies', async () => {
  const real = [{ key: 'WWW-Authenticate', value: 'Basic realm="real"' }];
  const res = await handler(event(401, {
    'www-authenticate': real,
    'x-www-authenticate': [{ key: 'X-WWW-Authenticate', value: challenge }],
  }));
  assert.deepEqual(res.headers['www-authenticate'], real);
  assert.equal(res.headers['x-www-authenticate'], undefined);
});

test('leaves other responses alone', async () => {
  const headers = {
    'set-cookie': [{ key: 'Set-Cookie', value: 'a=1' }, { key: 'Set-Cookie', value: 'b=2' }],
    'cache-control': [{ key: 'Cache-Control', value: 'no-store' }],
  };
  const res = await handler(event(200, structuredClone(headers)));
  assert.equal(res.status, '200');
  assert.deepEqual(res.headers, headers);
});

test('copes with a response without headers', async () => {
  const e = event(502, undefined);
  const res = await handler(e);
  assert.deepEqual(res.headers, {});
});
