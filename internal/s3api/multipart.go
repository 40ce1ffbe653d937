package s3api

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/zerostack/zerostack/internal/r2"
)

func encodeB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func (h *Handler) createMultipart(q *request) error {
	hm, cm, err := objectMetadata(q.r.Header)
	if err != nil {
		return err
	}
	class, err := storageClassFromS3(q.r.Header.Get("X-Amz-Storage-Class"))
	if err != nil {
		return err
	}
	id, err := h.mp.CreateMultipartUpload(q.ctx, q.bucket, q.key, r2.MultipartOptions{HTTPMetadata: hm, CustomMetadata: cm, StorageClass: class})
	if err != nil {
		return err
	}
	return writeXML(q.w, http.StatusOK, initiateMultipartResult{NS: s3NS, Bucket: q.bucket, Key: q.key, UploadID: id})
}

func partNumber(query url.Values) (int, error) {
	n, err := strconv.Atoi(query.Get("partNumber"))
	if err != nil || n < 1 || n > r2.MaxParts {
		return 0, ErrInvalidArgument.With("Part number must be an integer between 1 and %d, inclusive", r2.MaxParts)
	}
	return n, nil
}

func (h *Handler) uploadPart(q *request, query url.Values) error {
	r := q.r
	n, err := partNumber(query)
	if err != nil {
		return err
	}
	if r.ContentLength < 0 && len(r.TransferEncoding) == 0 {
		return ErrMissingContentLength
	}
	if r.ContentLength > r2.MaxPartSize {
		return ErrEntityTooLarge
	}
	bc, err := parseBodyChecks(r.Header)
	if err != nil {
		return err
	}
	p, err := h.mp.UploadPart(q.ctx, q.bucket, q.key, query.Get("uploadId"), n, bc.wrap(r.Body, true))
	if err != nil {
		return err
	}
	q.w.Header().Set("ETag", `"`+p.ETag+`"`)
	for alg, v := range bc.header {
		q.w.Header().Set("X-Amz-Checksum-"+alg, encodeB64(v))
	}
	q.w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) uploadPartCopy(q *request, query url.Values) error {
	r := q.r
	n, err := partNumber(query)
	if err != nil {
		return err
	}
	sb, sk, err := copySource(r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	if err := h.checkSource(q, sb); err != nil {
		return err
	}
	opts := r2.GetOptions{OnlyIf: copyConditional(r.Header)}
	if v := r.Header.Get("X-Amz-Copy-Source-Range"); v != "" {
		rg, err := r2.ParseRangeHeader(v)
		if err != nil || rg.Offset == nil || rg.Length == nil {
			return ErrInvalidArgument.With("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")
		}
		opts.Range = rg
	}
	res, err := h.store.Get(q.ctx, sb, sk, opts)
	if err != nil {
		return err
	}
	if res.PreconditionFailed {
		return ErrPreconditionFailed
	}
	defer res.Body.Close()
	if opts.Range != nil && *opts.Range.Offset+*opts.Range.Length > res.Object.Size {
		return ErrInvalidRange.With("The x-amz-copy-source-range value is out of range of the source object")
	}
	p, err := h.mp.UploadPart(q.ctx, q.bucket, q.key, query.Get("uploadId"), n, res.Body)
	if err != nil {
		return err
	}
	return writeXML(q.w, http.StatusOK, copyResult{XMLName: xmlName("CopyPartResult"), NS: s3NS, LastModified: s3Time(h.now()), ETag: `"` + p.ETag + `"`})
}

func (h *Handler) completeMultipart(q *request, query url.Values) error {
	var req completeMultipartRequest
	if err := readXML(q.r.Body, &req); err != nil {
		return err
	}
	if len(req.Parts) == 0 {
		return ErrMalformedXML
	}
	parts := make([]r2.UploadedPart, len(req.Parts))
	for i, p := range req.Parts {
		if i > 0 && p.PartNumber <= req.Parts[i-1].PartNumber {
			return ErrInvalidPartOrder
		}
		parts[i] = r2.UploadedPart{PartNumber: p.PartNumber, ETag: strings.Trim(strings.TrimSpace(p.ETag), `"`)}
	}
	o, err := h.mp.CompleteMultipartUpload(q.ctx, q.bucket, q.key, query.Get("uploadId"), parts)
	if err != nil {
		return err
	}
	return writeXML(q.w, http.StatusOK, completeMultipartResult{NS: s3NS, Location: "/" + q.bucket + "/" + q.key, Bucket: q.bucket, Key: q.key, ETag: o.HTTPETag()})
}

func (h *Handler) abortMultipart(q *request, query url.Values) error {
	if err := h.mp.AbortMultipartUpload(q.ctx, q.bucket, q.key, query.Get("uploadId")); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

func intParam(query url.Values, name string, def, max int) (int, error) {
	v := query.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, ErrInvalidArgument.With("Argument %s must be an integer between 0 and 2147483647", name)
	}
	return min(n, max), nil
}

func (h *Handler) listParts(q *request, query url.Values) error {
	maxParts, err := intParam(query, "max-parts", 1000, 1000)
	if err != nil {
		return err
	}
	marker, err := intParam(query, "part-number-marker", 0, r2.MaxParts)
	if err != nil {
		return err
	}
	ps, err := h.mp.ListParts(q.ctx, q.bucket, q.key, query.Get("uploadId"))
	if err != nil {
		return err
	}
	out := listPartsResult{NS: s3NS, Bucket: q.bucket, Key: q.key, UploadID: query.Get("uploadId"), Initiator: theOwner, Owner: theOwner,
		StorageClass: "STANDARD", PartNumberMarker: marker, MaxParts: maxParts}
	for _, p := range ps {
		if p.PartNumber <= marker {
			continue
		}
		if len(out.Parts) == maxParts {
			out.IsTruncated = true
			break
		}
		out.Parts = append(out.Parts, partItem{PartNumber: p.PartNumber, LastModified: s3Time(p.Uploaded), ETag: `"` + p.ETag + `"`, Size: p.Size})
		out.NextPartNumberMarker = p.PartNumber
	}
	return writeXML(q.w, http.StatusOK, out)
}

func (h *Handler) listUploads(q *request, query url.Values) error {
	maxUploads, err := intParam(query, "max-uploads", 1000, 1000)
	if err != nil {
		return err
	}
	prefix, delim := query.Get("prefix"), query.Get("delimiter")
	keyMarker, idMarker := query.Get("key-marker"), query.Get("upload-id-marker")
	p := listParams{prefix: prefix, delimiter: delim}
	if et := query.Get("encoding-type"); et == "url" {
		p.encode = true
	} else if et != "" {
		return ErrInvalidArgument.With("Invalid Encoding Method specified in Request")
	}
	ups, err := h.mp.ListMultipartUploads(q.ctx, q.bucket, prefix)
	if err != nil {
		return err
	}
	out := listUploadsResult{NS: s3NS, Bucket: q.bucket, KeyMarker: p.enc(keyMarker), UploadIDMarker: idMarker, Prefix: p.enc(prefix),
		Delimiter: p.enc(delim), MaxUploads: maxUploads}
	if p.encode {
		out.EncodingType = "url"
	}
	seen := map[string]bool{}
	lastKey, lastID := "", ""
	for _, u := range ups {
		if keyMarker != "" && (u.Key < keyMarker || (u.Key == keyMarker && (idMarker == "" || u.UploadID <= idMarker))) {
			continue
		}
		if delim != "" {
			if i := strings.Index(u.Key[len(prefix):], delim); i >= 0 {
				cp := u.Key[:len(prefix)+i+len(delim)]
				if seen[cp] {
					continue
				}
				if len(out.Uploads)+len(out.CommonPrefixes) == maxUploads {
					out.IsTruncated = true
					break
				}
				seen[cp] = true
				out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{Prefix: p.enc(cp)})
				lastKey, lastID = u.Key, u.UploadID
				continue
			}
		}
		if len(out.Uploads)+len(out.CommonPrefixes) == maxUploads {
			out.IsTruncated = true
			break
		}
		out.Uploads = append(out.Uploads, uploadItem{Key: p.enc(u.Key), UploadID: u.UploadID, Initiator: theOwner, Owner: theOwner,
			StorageClass: "STANDARD", Initiated: s3Time(u.Initiated)})
		lastKey, lastID = u.Key, u.UploadID
	}
	if out.IsTruncated {
		out.NextKeyMarker, out.NextUploadIDMarker = p.enc(lastKey), lastID
	}
	return writeXML(q.w, http.StatusOK, out)
}
