// Generated with Python's cryptography package (OpenSSL), an implementation
// independent of Go's: fixed keys, signatures and a ciphertext.
const VEC = {
 "msg": "zerostack webcrypto vector",
 "rsaPkcs8": "308204be020100300d06092a864886f70d0101010500048204a8308204a40201000282010100bd7df7eec1731798c78dec2abb6751894011c01cc599eaff95e2aaf4c633030e2ecf686f5d6dc17eda161c8a93789d6ffff1ff796d5c0ff4ce1fa1e1deddfd3084027b18fe8793b1580e6e8e9fe9631081b31ede2600100b9dbeb0a5d4adaf319d29883cbec622a4d5dedfa2c0d28081d023f2f482345734ee958f40031f75283d0c05e0ce661362c72e25c876f81f6e6e64e2444c3595c71306aad8e86d96aa64efbf9aae1923968827b32c65a5ef2b7f38fbbb3536300451d555822d484af381be7e80f9b87a5858730104ad89109be7bf4c13c06ddca0339f4a3ca1150fbfed919ab3de34b7532ec67d848ac472c30fba9b09638414a231d48ac932d8378302030100010282010003858dd010245571ef7381ca2185800c6ef6657da36682e9911d8f53d1432d715c095ac58714fd1da06bfcc7ce89d553398c83d4fbe5541e969e1be218c4436a5d69b663f6870a85a73f4d6ab52a1f3f3549e0eefc01d04a86f9fe4a76b36ba81e65a1348fcf1ae1b95fd5042f553a322f6e1b9bd3b7a94f4087e30bab833028310cd5215a6262ec96c042bf012b75039908435d9eef95c1d4b31be83cbd3deac115b7c00cd025bd007d0ff5bf257308b757005341f4052abdbee467ddd01855207241054d47a69dbb5162fa00fe9f768f162f43cca7ee70c378492064185cba1336538e9d5a2b5b028feac5cba1e2bbcc403995d606c8f8d2930e723c116bf102818100f6d2a78c515e5dbc790e12bb4696a608c3035fafaff4fe7e9f3858a040604949267b65f7d5f9bdb9d87f0bc8e0c07afa514c74d8a4d67217cd04f714ca1d3d75a7cf7cfb0fcc276ed00630a157764f24c68e31142e80793921e4179494656fca9f3acd5432d3e7ebad3900572b74b2b2d9035b28f664aea65558b87dbf6e0bf502818100c4899e9b360b37c1b269be4afff132f9a07b1187186d00ea9da4ff8c2c27a5a8130ede194488caed73f4398121dc2b03b3a87faf38ab9782d0f9f3ea9beccf0576dbc806e6c7c638931e909f0898559abeabc6edee769dafcf8395b82fd68bb0612bc381f2acbf2ec64c0d6bebc779edf52279dfaac903b3a78b2909c4324297028181008835f27ece3cbc90116241d615fb773f6897890bc497f8865a49d72700bfe251bb29e838e05e0564f5640f55d92a7ff37a402e4f8c9047c078c51fb1da644e918a7d47e4a97029e6ce684c180dd35d93d6fb8b7c2eb979ac9cd66a68f588112c89b902ad4fab7fd6a0eecf104c0c07be0962ffc0d850f1cd1b566de1ff6db4ad028180050f21d50efc14f0587e5e56a1e5fc90ee6f9c90e4b1119ff874e1db22dbd668d02cc6ccd1b5cfbb730bab5b469adb449a2051411a6d585616b9086d569c2eec0e16343cf13ddd3d61941cd6eb2ab8b1660d17eed1ff9da983e6f838a88a9647f108665cf6f93966a3d61b5656d868ac166e4fc2d12ba17bc36952a21cb9ca7b02818100cfdcfb6f269ae6dc9403d88aa7155125ce7533bd3ee99c800e4e9c5270408590a9e2ea9f0750f8613d8b97a60bf9b9d677f42aea648ce8c8c037d0984a375d7754cd4b3c6aac1cc4b00cc86a6c932b023a2386bd2ab432f6a2b9a9811bcb1d990c577412dda250f540aba50afe1d33b674973474fd45166ed1f6fadb7f540715",
 "rsaSpki": "30820122300d06092a864886f70d01010105000382010f003082010a0282010100bd7df7eec1731798c78dec2abb6751894011c01cc599eaff95e2aaf4c633030e2ecf686f5d6dc17eda161c8a93789d6ffff1ff796d5c0ff4ce1fa1e1deddfd3084027b18fe8793b1580e6e8e9fe9631081b31ede2600100b9dbeb0a5d4adaf319d29883cbec622a4d5dedfa2c0d28081d023f2f482345734ee958f40031f75283d0c05e0ce661362c72e25c876f81f6e6e64e2444c3595c71306aad8e86d96aa64efbf9aae1923968827b32c65a5ef2b7f38fbbb3536300451d555822d484af381be7e80f9b87a5858730104ad89109be7bf4c13c06ddca0339f4a3ca1150fbfed919ab3de34b7532ec67d848ac472c30fba9b09638414a231d48ac932d837830203010001",
 "rsaJwk": {
  "n": "vX337sFzF5jHjewqu2dRiUARwBzFmer_leKq9MYzAw4uz2hvXW3BftoWHIqTeJ1v__H_eW1cD_TOH6Hh3t39MIQCexj-h5OxWA5ujp_pYxCBsx7eJgAQC52-sKXUra8xnSmIPL7GIqTV3t-iwNKAgdAj8vSCNFc07pWPQAMfdSg9DAXgzmYTYscuJch2-B9ubmTiREw1lccTBqrY6G2WqmTvv5quGSOWiCezLGWl7yt_OPu7NTYwBFHVVYItSErzgb5-gPm4elhYcwEErYkQm-e_TBPAbdygM59KPKEVD7_tkZqz3jS3Uy7GfYSKxHLDD7qbCWOEFKIx1IrJMtg3gw",
  "e": "AQAB",
  "d": "A4WN0BAkVXHvc4HKIYWADG72ZX2jZoLpkR2PU9FDLXFcCVrFhxT9HaBr_MfOidVTOYyD1PvlVB6WnhviGMRDal1ptmP2hwqFpz9NarUqHz81SeDu_AHQSob5_kp2s2uoHmWhNI_PGuG5X9UEL1U6Mi9uG5vTt6lPQIfjC6uDMCgxDNUhWmJi7JbAQr8BK3UDmQhDXZ7vlcHUsxvoPL096sEVt8AM0CW9AH0P9b8lcwi3VwBTQfQFKr2-5Gfd0BhVIHJBBU1Hpp27UWL6AP6fdo8WL0PMp-5ww3hJIGQYXLoTNlOOnVorWwKP6sXLoeK7zEA5ldYGyPjSkw5yPBFr8Q",
  "p": "9tKnjFFeXbx5DhK7RpamCMMDX6-v9P5-nzhYoEBgSUkme2X31fm9udh_C8jgwHr6UUx02KTWchfNBPcUyh09dafPfPsPzCdu0AYwoVd2TyTGjjEULoB5OSHkF5SUZW_KnzrNVDLT5-utOQBXK3SystkDWyj2ZK6mVVi4fb9uC_U",
  "q": "xImemzYLN8Gyab5K__Ey-aB7EYcYbQDqnaT_jCwnpagTDt4ZRIjK7XP0OYEh3CsDs6h_rzirl4LQ-fPqm-zPBXbbyAbmx8Y4kx6QnwiYVZq-q8bt7nadr8-Dlbgv1ouwYSvDgfKsvy7GTA1r68d57fUied-qyQOzp4spCcQyQpc",
  "dp": "iDXyfs48vJARYkHWFft3P2iXiQvEl_iGWknXJwC_4lG7Keg44F4FZPVkD1XZKn_zekAuT4yQR8B4xR-x2mROkYp9R-SpcCnmzmhMGA3TXZPW-4t8Lrl5rJzWamj1iBEsibkCrU-rf9ag7s8QTAwHvgli_8DYUPHNG1Zt4f9ttK0",
  "dq": "BQ8h1Q78FPBYfl5WoeX8kO5vnJDksRGf-HTh2yLb1mjQLMbM0bXPu3MLq1tGmttEmiBRQRptWFYWuQhtVpwu7A4WNDzxPd09YZQc1usquLFmDRfu0f-dqYPm-DioipZH8QhmXPb5OWaj1htWVthorBZuT8LRK6F7w2lSohy5yns",
  "qi": "z9z7byaa5tyUA9iKpxVRJc51M70-6ZyADk6cUnBAhZCp4uqfB1D4YT2Ll6YL-bnWd_Qq6mSM6MjAN9CYSjddd1TNSzxqrBzEsAzIamyTKwI6I4a9KrQy9qK5qYEbyx2ZDFd0Et2iUPVAq6UK_h0ztnSXNHT9RRZu0fb6239UBxU"
 },
 "rsaSigSha256": "9e86f6f7aa0c1b1dbaf7d160e2413fd2464c50e5cbe347cf27bb7eed117e74213de1a326b4bce2465744d7f22d17643c9795d6f1ccc0db89954d1d192307173b731f587d26b015112ccd943f7523e54b7af2e27adc1bfde855c32d21b505e6dd42f9b31b6a3c7833079d6bc102e01e1a3b67308f8c02e62e103f98fc3b77ba0d73f6fb470d2305977d4bc736731fe926a3e64251afe4b3e9f474b4c9afd60bc7c36f9fdbce9a8f06d99fc1fc0531b1a9502506376fb68138766eb78adc343006e8bd90735e9f1caeda20108bac0a7da4fc22a06beeef95b4201032fa6b5ec6911cf9c26d5673b0ad31cea584a211b662b77d95c86a22089b4c9ddfa542095bea",
 "rsaSigSha384": "91f1df6ee0178f12c962f8c47785a3a9c963c290d2f13b26f960d3fbfa98357426fc84aa1cabdab2ce9b616e8533e472b2fd09ce5655f8a4a744400a11814ce89ee264b676f7339a1f434a3af645132177a35ae415958533b9dc275a6d687ffbb4a9f588e8a267b8fa92cb4a0fdd4cb52a7051e2ea537430aef60da08dc87012883a087ef411848fdbcf2600b6ce07b5921e4dc50aeb7c9e9bea765f043a8b6eed7afb6ea4540f3f8db5cd4f9db1f75299b062d280ab0733bdcac4fef2f8e28ccefe680204407166727f3323ae467a361e84893d42b3760735e8a1b407d8f41cef103c7234343cdbad05f971a41d61f8bada9930e6a38b20693c28fd86f48e14",
 "rsaPss32": "3a9e3027399473cf3ea1a881d831e30e102976e8ad0be5b696fce493eb13454670b3edb771847a7fed5f8c23bb3f692d50c6f88e1c8cdea648abd9ff93ad0c56e18115ebdbc4a81534bc0afff6e7e1dfbc2a5fba476b0b2a22f807e1a117b14da8c662c1b6a81327def3cf90f72f60bb672bbd067e78d5d9aa88a47b3c2b252a2014cedbbc697e71236078d4ef35d2b012b238525ad2b8e76192bdce90b7b1f072057e571ef0b4db132f07ee2fdfed13739e027cb99cacf1974b28360dac272f6dffd748d4266c096430ee55b3f4631de8a4c72ed98813f1bb31232309c23388c4c1fe6447b3f382e35ab410ca0409697714f2715033670e8c7939ef8c766ca5",
 "rsaOaepLabel": "4e7ad17e77378fa5a0cdf40b59b4deb619dd64c3aec5df5c85c6090b0a0e09e64eb9c0eba54eea15d58341596bf0d75cc78cfc5aa2a158a9baf341e8e61692c1fb1c72fbfba91cf4deb873b94806fcbc5c18a5f16141acd1ca719caeea92a862d91def858b2906f8fb290bd673860679e75060d6f48e5eb38abcf3e65bbdc7a3b89dba6e00392a9a47189acb8e9d02484f26a910cd816ec75471153f6e337a92ba9e5ec8348c672d702e1e277226af9564394a4b96bbfabed5376d77059b7772f3ae968f5539ae5fc92c6749def3baef418a308f0aebf356a6044bf2da8e97f5e442d07f0fc2daa81b4f497fc0a9fc155a265e8935fc955cded7df966f300229",
 "ecPkcs8": "3081b6020100301006072a8648ce3d020106052b8104002204819e30819b02010104301113caa4556c0b3872e467265dbb4044314023244dcba5f55148ece200c6dbed3657a6b7d44ed19fafb216d4e74d63eaa164036200048c9de6a09eeb447f6bc504bb870c9d5a1d705d1b66f9ee76f2aa606bc05038a936de79561d41b4dc86aac54d764a2aef1e1180520b9e40182a13c2e74ba5098d59e3a29bb04ee65a955dd3bfaf353d9ab3ec5e3ac2a6304afdfa25d59441fcc7",
 "ecRaw": "048c9de6a09eeb447f6bc504bb870c9d5a1d705d1b66f9ee76f2aa606bc05038a936de79561d41b4dc86aac54d764a2aef1e1180520b9e40182a13c2e74ba5098d59e3a29bb04ee65a955dd3bfaf353d9ab3ec5e3ac2a6304afdfa25d59441fcc7",
 "ecSigSha384": "62de532cccd0bd0062e44638e302758220579f5342936ffa5252f05be6b20f8fbda13b575fdd39e18f29647946d5a07992f585d032662a73ecb025c481e60af1c247422fa3397c282db854ee6686264a5c332fc382a0abd2cfca838db99a4844",
 "ecJwk": {
  "crv": "P-384",
  "x": "jJ3moJ7rRH9rxQS7hwydWh1wXRtm-e528qpga8BQOKk23nlWHUG03IaqxU12Sirv",
  "y": "HhGAUgueQBgqE8LnS6UJjVnjopuwTuZalV3Tv681PZqz7F46wqYwSv36JdWUQfzH",
  "d": "ERPKpFVsCzhy5GcmXbtARDFAIyRNy6X1UUjs4gDG2-02V6a31E7Rn6-yFtTnTWPq"
 }
};

// Cross-checks of the Go implementation against those vectors.

const subtle = crypto.subtle;
const unhex = (s) => new Uint8Array(s.match(/../g).map((x) => parseInt(x, 16)));
const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
const msg = Uint8Array.from(VEC.msg, (c) => c.charCodeAt(0));

test("RSASSA-PKCS1-v1_5 signatures equal OpenSSL's", async () => {
  for (const [hash, want] of [["SHA-256", VEC.rsaSigSha256], ["SHA-384", VEC.rsaSigSha384]]) {
    const alg = { name: "RSASSA-PKCS1-v1_5", hash };
    const priv = await subtle.importKey("pkcs8", unhex(VEC.rsaPkcs8), alg, true, ["sign"]);
    assertEquals(hex(await subtle.sign(alg, priv, msg)), want, hash);
    const pub = await subtle.importKey("spki", unhex(VEC.rsaSpki), alg, true, ["verify"]);
    assert(await subtle.verify(alg, pub, unhex(want), msg));
  }
});

test("RSA JWK export matches the key's numbers and re-exports the same DER", async () => {
  const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  const priv = await subtle.importKey("pkcs8", unhex(VEC.rsaPkcs8), alg, true, ["sign"]);
  const jwk = await subtle.exportKey("jwk", priv);
  for (const f of ["n", "e", "d", "p", "q", "dp", "dq", "qi"]) assertEquals(jwk[f], VEC.rsaJwk[f], f);
  assertEquals(hex(await subtle.exportKey("pkcs8", priv)), VEC.rsaPkcs8);
  const fromJwk = await subtle.importKey("jwk", { kty: "RSA", ...VEC.rsaJwk }, alg, true, ["sign"]);
  assertEquals(hex(await subtle.sign(alg, fromJwk, msg)), VEC.rsaSigSha256);
  const pub = await subtle.importKey("spki", unhex(VEC.rsaSpki), alg, true, ["verify"]);
  assertEquals(hex(await subtle.exportKey("spki", pub)), VEC.rsaSpki);
  assertEquals(pub.algorithm.modulusLength, 2048);
});

test("RSA-PSS and RSA-OAEP interoperate with OpenSSL", async () => {
  const pss = await subtle.importKey("spki", unhex(VEC.rsaSpki), { name: "RSA-PSS", hash: "SHA-256" }, false, ["verify"]);
  assert(await subtle.verify({ name: "RSA-PSS", saltLength: 32 }, pss, unhex(VEC.rsaPss32), msg));
  assertEquals(await subtle.verify({ name: "RSA-PSS", saltLength: 31 }, pss, unhex(VEC.rsaPss32), msg), false);
  const oaep = await subtle.importKey("pkcs8", unhex(VEC.rsaPkcs8), { name: "RSA-OAEP", hash: "SHA-256" }, false, ["decrypt"]);
  const pt = await subtle.decrypt({ name: "RSA-OAEP", label: Uint8Array.from("lbl", (c) => c.charCodeAt(0)) }, oaep, unhex(VEC.rsaOaepLabel));
  assertEquals(hex(pt), hex(msg));
});

test("ECDSA P-384 interoperates with OpenSSL", async () => {
  const alg = { name: "ECDSA", namedCurve: "P-384" };
  const pub = await subtle.importKey("raw", unhex(VEC.ecRaw), alg, true, ["verify"]);
  assert(await subtle.verify({ name: "ECDSA", hash: "SHA-384" }, pub, unhex(VEC.ecSigSha384), msg));
  const priv = await subtle.importKey("pkcs8", unhex(VEC.ecPkcs8), alg, true, ["sign"]);
  const jwk = await subtle.exportKey("jwk", priv);
  for (const f of ["crv", "x", "y", "d"]) assertEquals(jwk[f], VEC.ecJwk[f], f);
  const sig = await subtle.sign({ name: "ECDSA", hash: "SHA-384" }, priv, msg);
  assert(await subtle.verify({ name: "ECDSA", hash: "SHA-384" }, pub, sig, msg));
  const fromJwk = await subtle.importKey("jwk", { kty: "EC", ...VEC.ecJwk }, alg, true, ["sign"]);
  assertEquals(hex(await subtle.exportKey("pkcs8", fromJwk)), hex(await subtle.exportKey("pkcs8", priv)));
});
