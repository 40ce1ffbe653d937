"""Drives zerostack's S3 API with boto3; run by clients_test.go.

Usage: boto3_check.py ENDPOINT ACCESS_KEY SECRET_KEY VERIFY
VERIFY is a CA bundle path for https endpoints, or "-" for none.
Prints "OK <checks>" and exits 0 when every check holds; raises otherwise.
"""
import hashlib
import os
import sys
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint, access, secret, verify = sys.argv[1:5]
verify = None if verify == "-" else verify
cfg = Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1})
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access, aws_secret_access_key=secret,
                  region_name="auto", config=cfg, verify=verify)
checks = 0


def check(cond, what):
    global checks
    if not cond:
        raise AssertionError(what)
    checks += 1


def code_of(fn):
    try:
        fn()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    return None, 200


def urlopen(req):
    import ssl
    ctx = ssl.create_default_context(cafile=verify) if verify else None
    return urllib.request.urlopen(req, context=ctx)


B = os.environ.get("BUCKET", "boto-bucket")
s3.create_bucket(Bucket=B)
check(B in [b["Name"] for b in s3.list_buckets()["Buckets"]], "list_buckets")
check(code_of(lambda: s3.create_bucket(Bucket=B))[1] == 409, "create twice is 409")
s3.head_bucket(Bucket=B)
check(code_of(lambda: s3.head_bucket(Bucket="no-such-bucket"))[1] == 404, "head missing bucket")
check(code_of(lambda: s3.list_objects_v2(Bucket="no-such-bucket"))[0] == "NoSuchBucket", "NoSuchBucket")

# Put/get with metadata.
body = b"hello, zerostack\n" * 100
r = s3.put_object(Bucket=B, Key="dir/hello.txt", Body=body, ContentType="text/plain; charset=utf-8",
                  CacheControl="max-age=60", ContentDisposition='attachment; filename="h.txt"',
                  ContentLanguage="en", Metadata={"color": "blue", "Shape": "round"})
check(r["ETag"] == '"%s"' % hashlib.md5(body).hexdigest(), "put etag is md5")
g = s3.get_object(Bucket=B, Key="dir/hello.txt")
check(g["Body"].read() == body, "get body")
check(g["ContentType"] == "text/plain; charset=utf-8", "content-type")
check(g["CacheControl"] == "max-age=60", "cache-control")
check(g["ContentDisposition"] == 'attachment; filename="h.txt"', "content-disposition")
check(g["ContentLanguage"] == "en", "content-language")
check(g["Metadata"] == {"color": "blue", "shape": "round"}, "metadata %r" % g["Metadata"])
h = s3.head_object(Bucket=B, Key="dir/hello.txt")
check(h["ContentLength"] == len(body), "head length")
check(code_of(lambda: s3.get_object(Bucket=B, Key="missing"))[0] == "NoSuchKey", "NoSuchKey")

# Ranges and conditionals.
g = s3.get_object(Bucket=B, Key="dir/hello.txt", Range="bytes=7-15")
check(g["Body"].read() == body[7:16] and g["ContentRange"] == "bytes 7-15/%d" % len(body), "range")
check(code_of(lambda: s3.get_object(Bucket=B, Key="dir/hello.txt", Range="bytes=99999-"))[0] == "InvalidRange", "InvalidRange")
check(code_of(lambda: s3.get_object(Bucket=B, Key="dir/hello.txt", IfNoneMatch=r["ETag"]))[1] == 304, "If-None-Match 304")
check(code_of(lambda: s3.get_object(Bucket=B, Key="dir/hello.txt", IfMatch='"nope"'))[1] == 412, "If-Match 412")
g = s3.get_object(Bucket=B, Key="dir/hello.txt", ResponseContentType="application/x-test", ResponseContentDisposition="inline")
check(g["ContentType"] == "application/x-test" and g["ContentDisposition"] == "inline", "response-* overrides")

# Integrity: a wrong Content-MD5 or checksum stores nothing.
import base64
bad = base64.b64encode(hashlib.md5(b"other").digest()).decode()
check(code_of(lambda: s3.put_object(Bucket=B, Key="bad", Body=b"data", ContentMD5=bad))[0] == "BadDigest", "BadDigest")
check(code_of(lambda: s3.head_object(Bucket=B, Key="bad"))[1] == 404, "bad put stored nothing")
s3.put_object(Bucket=B, Key="sha", Body=b"data", ChecksumAlgorithm="SHA256")
g = s3.get_object(Bucket=B, Key="sha", ChecksumMode="ENABLED")  # botocore checks a returned checksum
check(g["Body"].read() == b"data", "checksum mode get")
if "ChecksumSHA256" in g:
    check(g["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(b"data").digest()).decode(), "returned sha256")
s3.put_object(Bucket=B, Key="crc", Body=b"data", ChecksumAlgorithm="CRC32")
check(s3.get_object(Bucket=B, Key="crc")["Body"].read() == b"data", "crc32 put")

# Listing: v2 paging, delimiter, start-after, encoding-type; v1 markers.
keys = ["list/a", "list/b", "list/c/1", "list/c/2", "list/d e+f", "list/é"]
for k in keys:
    s3.put_object(Bucket=B, Key=k, Body=k.encode())
seen, token = [], None
while True:
    kw = {"Bucket": B, "Prefix": "list/", "MaxKeys": 2}
    if token:
        kw["ContinuationToken"] = token
    page = s3.list_objects_v2(**kw)
    seen += [o["Key"] for o in page.get("Contents", [])]
    if not page["IsTruncated"]:
        break
    token = page["NextContinuationToken"]
check(seen == sorted(keys, key=lambda k: k.encode()), "v2 paging %r" % seen)
page = s3.list_objects_v2(Bucket=B, Prefix="list/", Delimiter="/")
check([p["Prefix"] for p in page["CommonPrefixes"]] == ["list/c/"], "common prefixes")
check(page["KeyCount"] == 5, "key count %r" % page["KeyCount"])
page = s3.list_objects_v2(Bucket=B, Prefix="list/", StartAfter="list/c/1")
check([o["Key"] for o in page["Contents"]][0] == "list/c/2", "start-after")
paginator = s3.get_paginator("list_objects")
v1 = [o["Key"] for p in paginator.paginate(Bucket=B, Prefix="list/", Delimiter="/", PaginationConfig={"PageSize": 2}) for o in p.get("Contents", [])]
check(v1 == ["list/a", "list/b", "list/d e+f", "list/é"], "v1 paging %r" % v1)
page = s3.list_objects_v2(Bucket=B, Prefix="list/d", EncodingType="url")
check(page["Contents"][0]["Key"] == "list/d%20e%2Bf", "encoding-type url %r" % page["Contents"][0]["Key"])

# Copy: metadata directive and conditions.
r = s3.copy_object(Bucket=B, Key="copy.txt", CopySource={"Bucket": B, "Key": "dir/hello.txt"})
check(s3.head_object(Bucket=B, Key="copy.txt")["Metadata"] == {"color": "blue", "shape": "round"}, "copy keeps metadata")
s3.copy_object(Bucket=B, Key="copy.txt", CopySource={"Bucket": B, "Key": "copy.txt"}, MetadataDirective="REPLACE",
               Metadata={"new": "1"}, ContentType="text/x-new")
h = s3.head_object(Bucket=B, Key="copy.txt")
check(h["Metadata"] == {"new": "1"} and h["ContentType"] == "text/x-new", "copy replaces metadata")
check(code_of(lambda: s3.copy_object(Bucket=B, Key="c2", CopySource={"Bucket": B, "Key": "copy.txt"}, CopySourceIfMatch='"x"'))[1] == 412, "copy condition")
check(code_of(lambda: s3.copy_object(Bucket=B, Key="copy.txt", CopySource={"Bucket": B, "Key": "copy.txt"}))[0] == "InvalidRequest", "copy onto itself")

# Multipart with UploadPartCopy, ListParts, ListMultipartUploads.
part = os.urandom(5 << 20)
mp = s3.create_multipart_upload(Bucket=B, Key="mp.bin", ContentType="application/x-mp", Metadata={"m": "p"})
uid = mp["UploadId"]
check(any(u["UploadId"] == uid for u in s3.list_multipart_uploads(Bucket=B)["Uploads"]), "list uploads")
p1 = s3.upload_part(Bucket=B, Key="mp.bin", UploadId=uid, PartNumber=1, Body=part)
s3.put_object(Bucket=B, Key="src.bin", Body=part + b"tail")
p2 = s3.upload_part_copy(Bucket=B, Key="mp.bin", UploadId=uid, PartNumber=2, CopySource={"Bucket": B, "Key": "src.bin"},
                         CopySourceRange="bytes=0-%d" % (len(part) - 1))
p3 = s3.upload_part(Bucket=B, Key="mp.bin", UploadId=uid, PartNumber=3, Body=b"last")
parts = s3.list_parts(Bucket=B, Key="mp.bin", UploadId=uid)["Parts"]
check([p["PartNumber"] for p in parts] == [1, 2, 3] and parts[2]["Size"] == 4, "list parts")
done = s3.complete_multipart_upload(Bucket=B, Key="mp.bin", UploadId=uid, MultipartUpload={"Parts": [
    {"PartNumber": 1, "ETag": p1["ETag"]}, {"PartNumber": 2, "ETag": p2["CopyPartResult"]["ETag"]}, {"PartNumber": 3, "ETag": p3["ETag"]}]})
want = hashlib.md5(hashlib.md5(part).digest() * 2 + hashlib.md5(b"last").digest()).hexdigest() + "-3"
check(done["ETag"] == '"%s"' % want, "multipart etag %s" % done["ETag"])
g = s3.get_object(Bucket=B, Key="mp.bin")
check(g["Body"].read() == part + part + b"last" and g["ContentType"] == "application/x-mp" and g["Metadata"] == {"m": "p"}, "multipart object")
mp = s3.create_multipart_upload(Bucket=B, Key="aborted")
s3.abort_multipart_upload(Bucket=B, Key="aborted", UploadId=mp["UploadId"])
check(code_of(lambda: s3.list_parts(Bucket=B, Key="aborted", UploadId=mp["UploadId"]))[0] == "NoSuchUpload", "NoSuchUpload")

# Presigned GET and PUT.
url = s3.generate_presigned_url("get_object", Params={"Bucket": B, "Key": "dir/hello.txt"}, ExpiresIn=3600)
check(urlopen(url).read() == body, "presigned get")
url = s3.generate_presigned_url("put_object", Params={"Bucket": B, "Key": "presigned.txt"}, ExpiresIn=600)
urlopen(urllib.request.Request(url, data=b"via presigned put", method="PUT")).read()
check(s3.get_object(Bucket=B, Key="presigned.txt")["Body"].read() == b"via presigned put", "presigned put")
try:
    urlopen(url.replace("X-Amz-Signature=", "X-Amz-Signature=0")[:-1])
    check(False, "tampered presigned url accepted")
except urllib.error.HTTPError as e:
    check(e.code == 403, "tampered presigned url refused")

# CORS and lifecycle configuration.
s3.put_bucket_cors(Bucket=B, CORSConfiguration={"CORSRules": [{"AllowedOrigins": ["https://app.example"], "AllowedMethods": ["GET", "PUT"],
                                                               "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600}]})
rules = s3.get_bucket_cors(Bucket=B)["CORSRules"]
check(rules[0]["AllowedOrigins"] == ["https://app.example"] and rules[0]["MaxAgeSeconds"] == 600, "get cors")
s3.put_bucket_lifecycle_configuration(Bucket=B, LifecycleConfiguration={"Rules": [
    {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}},
    {"ID": "mpu", "Status": "Enabled", "Filter": {"Prefix": ""}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}}]})
rules = s3.get_bucket_lifecycle_configuration(Bucket=B)["Rules"]
check([r["ID"] for r in rules] == ["tmp", "mpu"] and rules[0]["Expiration"]["Days"] == 1, "get lifecycle")
s3.delete_bucket_cors(Bucket=B)
check(code_of(lambda: s3.get_bucket_cors(Bucket=B))[0] == "NoSuchCORSConfiguration", "cors deleted")
check(code_of(lambda: s3.get_bucket_policy(Bucket=B))[0] == "NotImplemented", "NotImplemented")

# Bad credentials.
bad = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access, aws_secret_access_key="x" * 64,
                   region_name="auto", config=cfg, verify=verify)
check(code_of(lambda: bad.list_buckets())[0] == "SignatureDoesNotMatch", "SignatureDoesNotMatch")
unknown = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="AKIDUNKNOWN", aws_secret_access_key=secret,
                       region_name="auto", config=cfg, verify=verify)
check(code_of(lambda: unknown.list_buckets())[0] == "InvalidAccessKeyId", "InvalidAccessKeyId")

# Delete objects, then the bucket.
check(code_of(lambda: s3.delete_bucket(Bucket=B))[0] == "BucketNotEmpty", "BucketNotEmpty")
while True:
    objs = s3.list_objects_v2(Bucket=B).get("Contents", [])
    if not objs:
        break
    res = s3.delete_objects(Bucket=B, Delete={"Objects": [{"Key": o["Key"]} for o in objs]})
    check(len(res.get("Deleted", [])) == len(objs) and not res.get("Errors"), "delete_objects")
s3.delete_bucket(Bucket=B)
check(code_of(lambda: s3.head_bucket(Bucket=B))[1] == 404, "bucket deleted")
import botocore
print("OK", checks, "botocore", botocore.__version__)
