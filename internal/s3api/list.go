package s3api

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/zerostack/zerostack/internal/r2"
)

func xmlName(local string) xml.Name { return xml.Name{Local: local} }

// listParams are the parameters shared by ListObjects v1 and v2.
type listParams struct {
	prefix, delimiter string
	maxKeys           int
	encode            bool
}

func parseListParams(query url.Values) (listParams, error) {
	p := listParams{prefix: query.Get("prefix"), delimiter: query.Get("delimiter"), maxKeys: r2.MaxListLimit}
	if v := query.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p, ErrInvalidArgument.With("Provided max-keys not an integer or within integer range")
		}
		p.maxKeys = min(n, r2.MaxListLimit)
	}
	switch et := query.Get("encoding-type"); et {
	case "":
	case "url":
		p.encode = true
	default:
		return p, ErrInvalidArgument.With("Invalid Encoding Method specified in Request")
	}
	return p, nil
}

func (p listParams) enc(s string) string {
	if p.encode {
		return uriEncode(s, true)
	}
	return s
}

// startAfter turns a marker into list options: keys strictly after it,
// skipping the rest of the common prefix it lies in (a marker that is a
// common prefix would otherwise list that prefix again).
func (p listParams) startAfter(marker string, o *r2.ListOptions) (empty bool) {
	if marker == "" {
		return false
	}
	if p.delimiter != "" && strings.HasPrefix(marker, p.prefix) {
		rest := marker[len(p.prefix):]
		if i := strings.Index(rest, p.delimiter); i >= 0 {
			cp := p.prefix + rest[:i+len(p.delimiter)]
			end := r2.PrefixEnd(cp)
			if end == "" {
				return true
			}
			o.Cursor = r2.EncodeCursorAt(end)
			return false
		}
	}
	o.StartAfter = marker
	return false
}

func (h *Handler) list(q *request, p listParams, o r2.ListOptions, fetchOwner bool) (contents []objectItem, prefixes []commonPrefix, res r2.ListResult, err error) {
	o.Prefix, o.Delimiter, o.Limit = p.prefix, p.delimiter, p.maxKeys
	if p.maxKeys == 0 {
		return []objectItem{}, nil, r2.ListResult{}, nil
	}
	res, err = h.store.List(q.ctx, q.bucket, o)
	if err != nil {
		return nil, nil, res, err
	}
	contents = make([]objectItem, 0, len(res.Objects))
	for _, ob := range res.Objects {
		it := objectItem{Key: p.enc(ob.Key), LastModified: s3Time(ob.Uploaded), ETag: ob.HTTPETag(), Size: ob.Size, StorageClass: storageClassToS3(ob.StorageClass)}
		if fetchOwner {
			it.Owner = &theOwner
		}
		contents = append(contents, it)
	}
	for _, cp := range res.DelimitedPrefixes {
		prefixes = append(prefixes, commonPrefix{Prefix: p.enc(cp)})
	}
	return contents, prefixes, res, nil
}

// lastItem returns the largest key or prefix of a page.
func lastItem(res r2.ListResult) string {
	last := ""
	if n := len(res.Objects); n > 0 {
		last = res.Objects[n-1].Key
	}
	if n := len(res.DelimitedPrefixes); n > 0 && res.DelimitedPrefixes[n-1] > last {
		last = res.DelimitedPrefixes[n-1]
	}
	return last
}

func (h *Handler) listObjectsV1(q *request, query url.Values) error {
	p, err := parseListParams(query)
	if err != nil {
		return err
	}
	marker := query.Get("marker")
	var o r2.ListOptions
	out := listBucketResult{NS: s3NS, Name: q.bucket, Prefix: p.enc(p.prefix), Delimiter: p.enc(p.delimiter), MaxKeys: p.maxKeys, Marker: new(string)}
	*out.Marker = p.enc(marker)
	if p.encode {
		out.EncodingType = "url"
	}
	if !p.startAfter(marker, &o) {
		contents, prefixes, res, err := h.list(q, p, o, true)
		if err != nil {
			return err
		}
		out.Contents, out.CommonPrefixes, out.IsTruncated = contents, prefixes, res.Truncated
		if res.Truncated {
			out.NextMarker = p.enc(lastItem(res))
		}
	}
	return writeXML(q.w, http.StatusOK, out)
}

func (h *Handler) listObjectsV2(q *request, query url.Values) error {
	p, err := parseListParams(query)
	if err != nil {
		return err
	}
	token, sa := query.Get("continuation-token"), query.Get("start-after")
	var o r2.ListOptions
	empty := false
	if token != "" {
		if _, _, err := r2.DecodeCursor(token); err != nil {
			return ErrInvalidArgument.With("The continuation token provided is incorrect")
		}
		o.Cursor = token
	} else {
		empty = p.startAfter(sa, &o)
	}
	out := listBucketResult{NS: s3NS, Name: q.bucket, Prefix: p.enc(p.prefix), Delimiter: p.enc(p.delimiter), MaxKeys: p.maxKeys,
		StartAfter: p.enc(sa), Token: token, KeyCount: new(int)}
	if p.encode {
		out.EncodingType = "url"
	}
	if !empty {
		contents, prefixes, res, err := h.list(q, p, o, query.Get("fetch-owner") == "true")
		if err != nil {
			return err
		}
		out.Contents, out.CommonPrefixes, out.IsTruncated = contents, prefixes, res.Truncated
		*out.KeyCount = len(contents) + len(prefixes)
		if res.Truncated {
			out.NextToken = res.Cursor
		}
	}
	return writeXML(q.w, http.StatusOK, out)
}
