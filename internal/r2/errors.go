package r2

import "fmt"

// Error is an R2 error with R2's numeric code, the HTTP status, the S3-style
// name and R2's message. The binding shows "<op>: <Message> (<Code>)"; the S3
// API uses Status and Name. errors.Is matches errors with the same Code.
type Error struct {
	Code    int
	Status  int
	Name    string
	Message string
}

func (e *Error) Error() string { return "r2: " + e.Message }

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// With returns a copy of e with a more specific message.
func (e *Error) With(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// R2's errors (codes and messages as R2 reports them).
var (
	ErrInternal           = &Error{10001, 500, "InternalError", "We encountered an internal error. Please try again."}
	ErrNoSuchBucket       = &Error{10006, 404, "NoSuchBucket", "The specified bucket does not exist."}
	ErrNoSuchKey          = &Error{10007, 404, "NoSuchKey", "The specified key does not exist."}
	ErrBucketNotEmpty     = &Error{10008, 409, "BucketNotEmpty", "The bucket you tried to delete is not empty."}
	ErrBucketExists       = &Error{10004, 409, "BucketAlreadyExists", "The requested bucket name is not available."}
	ErrInvalidBucketName  = &Error{10005, 400, "InvalidBucketName", "The specified bucket name is not valid."}
	ErrEntityTooSmall     = &Error{10011, 400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size."}
	ErrMetadataTooLarge   = &Error{10012, 400, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size."}
	ErrInvalidObjectName  = &Error{10020, 400, "InvalidObjectName", "The specified object name is not valid."}
	ErrInvalidMaxKeys     = &Error{10022, 400, "InvalidMaxKeys", "MaxKeys params must be positive integer <= 1000."}
	ErrNoSuchUpload       = &Error{10024, 404, "NoSuchUpload", "The specified multipart upload does not exist."}
	ErrInvalidPart        = &Error{10025, 400, "InvalidPart", "One or more of the specified parts could not be found."}
	ErrInvalidArgument    = &Error{10029, 400, "InvalidArgument", "Invalid Argument"}
	ErrPreconditionFailed = &Error{10031, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold."}
	ErrBadDigest          = &Error{10037, 400, "BadDigest", "The checksum you specified did not match what we received."}
	ErrInvalidRange       = &Error{10039, 416, "InvalidRange", "The requested range is not satisfiable"}
	ErrBadUpload          = &Error{10048, 400, "BadUpload", "There was a problem with the multipart upload."}
	ErrEntityTooLarge     = &Error{100100, 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size."}
)
