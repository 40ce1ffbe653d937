package s3api

import (
	"bytes"
	"encoding/xml"
	"net/http"
)

// validated is a bucket configuration document that can check itself.
type validated interface {
	Validate() error
}

// putBucketConfig reads a configuration document of type T (CORS,
// lifecycle) from the request, validates it and stores it as kind.
func putBucketConfig[T any, P interface {
	*T
	validated
}](h *Handler, q *request, kind string) error {
	if h.settings == nil {
		return ErrNotImplemented
	}
	if err := h.requireBucket(q.ctx, q.bucket); err != nil {
		return err
	}
	var c T
	if err := readXML(q.r.Body, &c); err != nil {
		return err
	}
	if err := P(&c).Validate(); err != nil {
		return err
	}
	doc, err := xml.Marshal(c)
	if err != nil {
		return err
	}
	if err := h.settings.SetBucketConfig(q.ctx, q.bucket, kind, doc); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusOK)
	return nil
}

// getBucketConfig answers with the stored document of kind, whose root
// element is root, or missing when there is none.
func (h *Handler) getBucketConfig(q *request, kind, root string, missing error) error {
	if h.settings == nil {
		return ErrNotImplemented
	}
	doc, err := h.settings.BucketConfig(q.ctx, q.bucket, kind)
	if err != nil {
		return err
	}
	if doc == nil {
		return missing
	}
	q.w.Header().Set("Content-Type", "application/xml")
	q.w.WriteHeader(http.StatusOK)
	q.w.Write([]byte(xml.Header))
	q.w.Write(bytes.Replace(doc, []byte("<"+root+">"), []byte("<"+root+` xmlns="`+s3NS+`">`), 1))
	return nil
}

// deleteBucketConfig removes the document of kind.
func (h *Handler) deleteBucketConfig(q *request, kind string) error {
	if h.settings == nil {
		return ErrNotImplemented
	}
	if err := h.requireBucket(q.ctx, q.bucket); err != nil {
		return err
	}
	if err := h.settings.SetBucketConfig(q.ctx, q.bucket, kind, nil); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}
