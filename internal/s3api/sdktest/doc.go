// Package sdktest holds end-to-end tests of the S3-compatible API
// (internal/s3api over the embedded R2 store r2local) driven by the Go S3
// SDKs people use against R2: the AWS SDK for Go v2 and minio-go. Each test
// starts the API on a random loopback port and goes through the SDK's
// normal request path (signing, checksums, paginators, presigning,
// multipart). They live in their own package so that the SDKs are compiled
// into this test binary only and run in parallel with s3api's own tests.
package sdktest
