package s3api

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/zerostack/zerostack/internal/r2"
)

// Error is an S3 error: the HTTP status, S3's error code and a message. It
// is what handlers return; writeError turns it (and any other error) into
// S3's XML error document.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return "s3api: " + e.Code + ": " + e.Message }

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// With returns a copy of e with another message.
func (e *Error) With(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// S3 errors this package answers with (besides those of r2.Error).
var (
	ErrAccessDenied           = &Error{403, "AccessDenied", "Access Denied"}
	ErrSignatureDoesNotMatch  = &Error{403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method."}
	ErrInvalidAccessKeyID     = &Error{403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."}
	ErrRequestTimeTooSkewed   = &Error{403, "RequestTimeTooSkewed", "The difference between the request time and the server's time is too large."}
	ErrExpiredPresign         = &Error{403, "AccessDenied", "Request has expired"}
	ErrAuthorizationHeader    = &Error{400, "AuthorizationHeaderMalformed", "The authorization header is malformed."}
	ErrAuthorizationQuery     = &Error{400, "AuthorizationQueryParametersError", "Error parsing the X-Amz-Credential parameter."}
	ErrInvalidRequest         = &Error{400, "InvalidRequest", "Invalid Request"}
	ErrInvalidArgument        = &Error{400, "InvalidArgument", "Invalid Argument"}
	ErrMalformedXML           = &Error{400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema."}
	ErrInvalidDigest          = &Error{400, "InvalidDigest", "The Content-MD5 you specified is not valid."}
	ErrBadDigest              = &Error{400, "BadDigest", "The Content-MD5 you specified did not match what we received."}
	ErrContentSHA256Mismatch  = &Error{400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."}
	ErrIncompleteBody         = &Error{400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header."}
	ErrMissingContentLength   = &Error{411, "MissingContentLength", "You must provide the Content-Length HTTP header."}
	ErrMethodNotAllowed       = &Error{405, "MethodNotAllowed", "The specified method is not allowed against this resource."}
	ErrNotImplemented         = &Error{501, "NotImplemented", "A header or query you provided implies functionality that is not implemented."}
	ErrNoSuchBucket           = &Error{404, "NoSuchBucket", "The specified bucket does not exist."}
	ErrNoSuchKey              = &Error{404, "NoSuchKey", "The specified key does not exist."}
	ErrNoSuchCORS             = &Error{404, "NoSuchCORSConfiguration", "The CORS configuration does not exist"}
	ErrNoSuchLifecycle        = &Error{404, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"}
	ErrCORSForbidden          = &Error{403, "AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."}
	ErrInvalidRange           = &Error{416, "InvalidRange", "The requested range is not satisfiable"}
	ErrPreconditionFailed     = &Error{412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold."}
	ErrInvalidBucketName      = &Error{400, "InvalidBucketName", "The specified bucket name is not valid."}
	ErrInternal               = &Error{500, "InternalError", "We encountered an internal error. Please try again."}
	ErrEntityTooLarge         = &Error{400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size."}
	ErrInvalidPartOrder       = &Error{400, "InvalidPartOrder", "The list of parts was not in ascending order. The parts list must be specified in order by part number."}
	ErrSignatureVersionNotSup = &Error{400, "InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."}
)

type errorDoc struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource,omitempty"`
	RequestID string   `xml:"RequestId,omitempty"`
	Key       string   `xml:"Key,omitempty"`
	Bucket    string   `xml:"BucketName,omitempty"`
}

// toS3 maps any error to an *Error: *Error as is, *r2.Error by its name and
// status, context cancellation to a 499-like client error, and everything
// else to InternalError.
func toS3(err error) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	var re *r2.Error
	if errors.As(err, &re) {
		msg := re.Message
		switch re.Name {
		case "InvalidMaxKeys":
			return &Error{400, "InvalidArgument", msg}
		case "BadUpload":
			return &Error{400, "InvalidPart", msg}
		}
		return &Error{re.Status, re.Name, msg}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return ErrEntityTooLarge
	}
	if errors.Is(err, context.Canceled) {
		return &Error{400, "RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period."}
	}
	return ErrInternal
}

// writeError is the one place where errors become S3 responses: an XML
// error document with the error's status (HEAD requests and 304 get no
// body). Internal errors are logged with the request.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, bucket, key string, err error) {
	e := toS3(err)
	if e.Status >= 500 {
		log.Error("s3api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		log.Debug("s3api: request refused", "method", r.Method, "path", r.URL.Path, "code", e.Code, "err", err)
	}
	h := w.Header()
	h.Del("Content-Length")
	h.Del("ETag")
	if e.Status == http.StatusNotModified || r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	h.Set("Content-Type", "application/xml")
	doc := errorDoc{Code: e.Code, Message: e.Message, Resource: r.URL.Path, Bucket: bucket, Key: key, RequestID: h.Get("X-Amz-Request-Id")}
	body, _ := xml.Marshal(doc)
	w.WriteHeader(e.Status)
	w.Write([]byte(xml.Header))
	w.Write(body)
}
