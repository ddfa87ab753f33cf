'use strict';
// Lambda@Edge, origin-response: gives the browser back the Basic challenge
// that API Gateway will not let a Lambda send.
//
// formgate (CHALLENGE_HEADER=X-WWW-Authenticate) sends the challenge under
// another name; API Gateway would have renamed a real WWW-Authenticate to
// x-amzn-Remapped-WWW-Authenticate. Either way this function renames it to
// WWW-Authenticate, so the browser shows its prompt.
//
// It must be an origin-response trigger: CloudFront does not run
// viewer-response triggers when the origin answers 400 or more, and the
// challenge comes with a 401. Lambda@Edge runs Node.js or Python only.

const SOURCES = ['x-www-authenticate', 'x-amzn-remapped-www-authenticate'];

function renameChallenge(response) {
  const headers = response.headers || {};
  for (const name of SOURCES) {
    const values = headers[name];
    if (!values) continue;
    // A real WWW-Authenticate, if one got through, wins.
    if (!headers['www-authenticate']) {
      headers['www-authenticate'] = values.map((h) => ({ key: 'WWW-Authenticate', value: h.value }));
    }
    delete headers[name];
  }
  response.headers = headers;
  return response;
}

exports.renameChallenge = renameChallenge;

exports.handler = async (event) => renameChallenge(event.Records[0].cf.response);
