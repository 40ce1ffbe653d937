// nodejs_compat: node:crypto keys and signatures (RSA PKCS #1 v1.5 and
// PSS, ECDSA, Ed25519) with fixed test keys made for this probe.
import crypto, { createSign, createVerify, createPrivateKey, createPublicKey, createSecretKey, createHmac, KeyObject } from "node:crypto";
import { Buffer } from "node:buffer";

// Test keys generated for this probe with Node.js (not used anywhere else).
const keys = {
  "rsaPriv": "-----BEGIN PRIVATE KEY-----\nMIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBALkYJNPbGPxY3i7S\nQSGtyQfzs5DQhtL+du28m+3IUN3njWuSlU+R+QEajDZGvAXmt3uF9fdCfHV2gsAJ\nkLSnIaScZ9OkiMCZMWYdKDSRmA5oS6B5VQRGCbcO34zlftYGW5lYpHjsd7+VhEkr\nH2j7v+7HyTb0ITmY7XOlALVsxSwlAgMBAAECgYBEk35pg55hOCexXzLEYJe/u3nG\n6ItbNu4nLJ703Seg335U4a0yGtoPn59dKJ3W7eEDAeHcZySnfG366lBTrixXKFH1\n2MuDhpsiwmTPOs/88LZmkUx9KPcTT7gg7sPUvby/gxeeZ80ATtuQY4ASeBneQbIO\n/81xygWSq3olb6ldbQJBANse4+0+1gbwl7afKgz8zpk4GAjms8aTSwubIVbreGmf\n7DP5RFMe9vVb4txL9j/5zKxeoHdh8MkmLtj+dH7Do5sCQQDYPy6hRUuD1WYJwm6L\nqFYEHZv9TxHt/BYDjBtwqsF4vnJTA/FJYfnqqwnCQkSwfTkbQUBG3d0z3IQ+2Pef\n7Ms/AkAk2FDjN8mtaQ9ZufHMNUZYJUKFXKWmImZgETnN79JTkHybULLYd0B3iXfg\nKzXBFDQCV/cLnABtEmqWOlNEbYk5AkEAvjMcZXaYi/UnkY/1QVsnhOkyKaPhZkwi\nZK5X+EoIb5Y64e+Gy3+knJYhuD4nQoBxuRo0WeCMzi+4FbsqWfyhawJBAIq1KHmQ\nooa2WU36fqKc4iXwtTzwEeWeA23mpXEZ8TT+gc9viv2lzFUsG3rLOEBzVwMBp2q1\nICDOPSeuVnvVrcg=\n-----END PRIVATE KEY-----\n",
  "rsaPrivPkcs1": "-----BEGIN RSA PRIVATE KEY-----\nMIICXQIBAAKBgQC5GCTT2xj8WN4u0kEhrckH87OQ0IbS/nbtvJvtyFDd541rkpVP\nkfkBGow2RrwF5rd7hfX3Qnx1doLACZC0pyGknGfTpIjAmTFmHSg0kZgOaEugeVUE\nRgm3Dt+M5X7WBluZWKR47He/lYRJKx9o+7/ux8k29CE5mO1zpQC1bMUsJQIDAQAB\nAoGARJN+aYOeYTgnsV8yxGCXv7t5xuiLWzbuJyye9N0noN9+VOGtMhraD5+fXSid\n1u3hAwHh3Gckp3xt+upQU64sVyhR9djLg4abIsJkzzrP/PC2ZpFMfSj3E0+4IO7D\n1L28v4MXnmfNAE7bkGOAEngZ3kGyDv/NccoFkqt6JW+pXW0CQQDbHuPtPtYG8Je2\nnyoM/M6ZOBgI5rPGk0sLmyFW63hpn+wz+URTHvb1W+LcS/Y/+cysXqB3YfDJJi7Y\n/nR+w6ObAkEA2D8uoUVLg9VmCcJui6hWBB2b/U8R7fwWA4wbcKrBeL5yUwPxSWH5\n6qsJwkJEsH05G0FARt3dM9yEPtj3n+zLPwJAJNhQ4zfJrWkPWbnxzDVGWCVChVyl\npiJmYBE5ze/SU5B8m1Cy2HdAd4l34Cs1wRQ0Alf3C5wAbRJqljpTRG2JOQJBAL4z\nHGV2mIv1J5GP9UFbJ4TpMimj4WZMImSuV/hKCG+WOuHvhst/pJyWIbg+J0KAcbka\nNFngjM4vuBW7Kln8oWsCQQCKtSh5kKKGtllN+n6inOIl8LU88BHlngNt5qVxGfE0\n/oHPb4r9pcxVLBt6yzhAc1cDAadqtSAgzj0nrlZ71a3I\n-----END RSA PRIVATE KEY-----\n",
  "rsaPub": "-----BEGIN PUBLIC KEY-----\nMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC5GCTT2xj8WN4u0kEhrckH87OQ\n0IbS/nbtvJvtyFDd541rkpVPkfkBGow2RrwF5rd7hfX3Qnx1doLACZC0pyGknGfT\npIjAmTFmHSg0kZgOaEugeVUERgm3Dt+M5X7WBluZWKR47He/lYRJKx9o+7/ux8k2\n9CE5mO1zpQC1bMUsJQIDAQAB\n-----END PUBLIC KEY-----\n",
  "rsaPubPkcs1": "-----BEGIN RSA PUBLIC KEY-----\nMIGJAoGBALkYJNPbGPxY3i7SQSGtyQfzs5DQhtL+du28m+3IUN3njWuSlU+R+QEa\njDZGvAXmt3uF9fdCfHV2gsAJkLSnIaScZ9OkiMCZMWYdKDSRmA5oS6B5VQRGCbcO\n34zlftYGW5lYpHjsd7+VhEkrH2j7v+7HyTb0ITmY7XOlALVsxSwlAgMBAAE=\n-----END RSA PUBLIC KEY-----\n",
  "ecPriv": "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIDypqdOvdWK0jE50Bqwmbl19njprKHiMwHiJAdDL7O7GoAoGCCqGSM49\nAwEHoUQDQgAEEgk8wJeIw9JIL/9IWfDOgsr8yMvCX3E+Q4zElERTFYfZX3PqNWHw\nBygfGf72Oj72yYQbjppKFkY6yys4Px6rgQ==\n-----END EC PRIVATE KEY-----\n",
  "ecPub": "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEgk8wJeIw9JIL/9IWfDOgsr8yMvC\nX3E+Q4zElERTFYfZX3PqNWHwBygfGf72Oj72yYQbjppKFkY6yys4Px6rgQ==\n-----END PUBLIC KEY-----\n",
  "edPriv": "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIItJaVxHReuwfdwITVSuTKLyW1ECtn1T1YNsgt83dHTI\n-----END PRIVATE KEY-----\n",
  "edPub": "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAO+qBv56kSr2vp2O+StbOLKMOLEZyz9Eq9SS4Eh/7wB0=\n-----END PUBLIC KEY-----\n"
};

export default {
  async fetch() {
    const out = {};
    const t = (name, f) => { try { out[name] = f(); } catch (e) { out[name] = "THROW " + e.name + " " + e.code + ": " + e.message; } };
    const msg = "message to sign";
    t("rsaSign", () => [createSign("RSA-SHA256").update(msg).sign(keys.rsaPriv, "base64"), createSign("sha512").update("a").update("b").sign(keys.rsaPrivPkcs1, "hex").length, crypto.sign("sha256", Buffer.from(msg), keys.rsaPriv).toString("base64url")]);
    t("rsaVerify", () => {
      const sig = createSign("RSA-SHA256").update(msg).sign(keys.rsaPriv);
      return [createVerify("RSA-SHA256").update(msg).verify(keys.rsaPub, sig), createVerify("RSA-SHA256").update(msg + "!").verify(keys.rsaPub, sig), createVerify("sha256").update(msg).verify(keys.rsaPubPkcs1, sig), createVerify("sha256").update(msg).verify(keys.rsaPriv, sig), crypto.verify("sha256", Buffer.from(msg), keys.rsaPub, sig), createVerify("sha256").update(msg).verify(keys.rsaPub, sig.toString("base64"), "base64")];
    });
    t("pss", () => {
      const sig = crypto.sign("sha256", Buffer.from(msg), { key: keys.rsaPriv, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
      return [sig.length, crypto.verify("sha256", Buffer.from(msg), { key: keys.rsaPub, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig), crypto.verify("sha256", Buffer.from(msg), keys.rsaPub, sig)];
    });
    t("ecdsa", () => {
      const der = createSign("sha256").update(msg).sign(keys.ecPriv);
      const p1363 = crypto.sign("sha256", Buffer.from(msg), { key: keys.ecPriv, dsaEncoding: "ieee-p1363" });
      return [der[0], p1363.length, createVerify("sha256").update(msg).verify(keys.ecPub, der), crypto.verify("sha256", Buffer.from(msg), { key: keys.ecPub, dsaEncoding: "ieee-p1363" }, p1363), crypto.verify("sha256", Buffer.from("other"), keys.ecPub, der)];
    });
    t("ed25519", () => {
      const sig = crypto.sign(null, Buffer.from(msg), keys.edPriv);
      return [sig.toString("base64"), crypto.verify(null, Buffer.from(msg), keys.edPub, sig), crypto.verify(undefined, Buffer.from("x"), keys.edPub, sig)];
    });
    t("keyObjects", () => {
      const priv = createPrivateKey(keys.rsaPriv), pub = createPublicKey(keys.rsaPriv), ecp = createPublicKey(keys.ecPub), ed = createPrivateKey(keys.edPriv);
      return [priv.type, priv.asymmetricKeyType, priv.asymmetricKeyDetails.modulusLength, pub.type, pub.export({ type: "spki", format: "pem" }) === keys.rsaPub, ecp.asymmetricKeyType, ecp.asymmetricKeyDetails, ed.asymmetricKeyType, priv instanceof KeyObject, createPublicKey(priv).equals(pub), createPrivateKey(keys.rsaPrivPkcs1).export({ type: "pkcs8", format: "pem" }) === keys.rsaPriv];
    });
    t("keyObjectSign", () => createSign("sha256").update(msg).sign(createPrivateKey(keys.rsaPriv), "base64") === createSign("sha256").update(msg).sign(keys.rsaPriv, "base64"));
    t("secretKey", () => { const k = createSecretKey(Buffer.from("sekrit")); return [k.type, k.symmetricKeySize, k.export().toString(), k.export({ format: "jwk" }), createHmac("sha256", k).update("x").digest("hex") === createHmac("sha256", "sekrit").update("x").digest("hex")]; });
    t("badKey", () => createPrivateKey("not a key"));
    t("badDigest", () => createSign("nope"));
    return Response.json(out);
  },
};
