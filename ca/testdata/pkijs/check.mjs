// PKI.js's default chain validation (CertificateChainValidationEngine)
// of one leaf under root.der and issuing.der in DIR, with the CRLs and
// OCSP responses named: crl:FILE, ocsp:FILE (the responder's signature
// is checked too), nonce:HEX (the nonce each OCSP response must echo).
// Prints the result as JSON; exits 0 only when the chain is valid.
import * as pkijs from "pkijs";
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";

pkijs.setEngine("node", new pkijs.CryptoEngine({ name: "node", crypto: webcrypto }));
const [, , dir, leaf, ...rest] = process.argv;
const der = (f) => {
  const b = readFileSync(`${dir}/${f}`);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};
const cert = (f) => pkijs.Certificate.fromBER(der(f));
const hex = (buf) => Buffer.from(buf).toString("hex");
const arg = (p) => rest.filter((a) => a.startsWith(p)).map((a) => a.slice(p.length));

const root = cert("root.der");
const issuing = cert("issuing.der");
const fail = (message) => {
  console.log(JSON.stringify({ result: false, message }));
  process.exit(1);
};

const ocsps = [];
for (const f of arg("ocsp:")) {
  const resp = pkijs.OCSPResponse.fromBER(der(f));
  if (resp.responseStatus.valueBlock.valueDec !== 0) fail(`${f}: OCSP status ${resp.responseStatus.valueBlock.valueDec}`);
  const basic = pkijs.BasicOCSPResponse.fromBER(resp.responseBytes.response.valueBlock.valueHexView);
  // A delegated responder: certified by the issuer of the certificates it answers for.
  if (!(await basic.verify({ trustedCerts: [issuing] }))) fail(`${f}: the responder's signature does not verify`);
  for (const want of arg("nonce:")) {
    const ext = (basic.tbsResponseData.responseExtensions || []).find((e) => e.extnID === "1.3.6.1.5.5.7.48.1.2");
    if (!ext || hex(ext.extnValue.valueBlock.valueHexView) !== want) fail(`${f}: the nonce is not echoed`);
  }
  ocsps.push(basic);
}
const engine = new pkijs.CertificateChainValidationEngine({
  trustedCerts: [root],
  certs: [issuing, cert(leaf)],
  crls: arg("crl:").map((f) => pkijs.CertificateRevocationList.fromBER(der(f))),
  ocsps,
});
const r = await engine.verify();
console.log(JSON.stringify({ result: r.result, code: r.resultCode, message: r.resultMessage }));
process.exit(r.result ? 0 : 1);
