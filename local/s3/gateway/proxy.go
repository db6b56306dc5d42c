package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DeleteObjects bodies hold at most 1000 keys of at most 1 KiB each.
const maxDeleteBody = 4 << 20

var (
	quietTrue = regexp.MustCompile(`<Quiet>\s*true\s*</Quiet>`)
	deleted   = regexp.MustCompile(`(?s)<Deleted>.*?</Deleted>`)
	deleteKey = regexp.MustCompile(`(?s)<Key>(.*?)</Key>`)
	errorItem = regexp.MustCompile(`(?s)<Error>.*?</Error>`)
)

// deleteKind marks the requests whose answers the proxy rewrites.
type deleteKind int

const (
	deleteObjects deleteKind = iota + 1
	deleteObjectsQuiet
	deleteDirectoryKey
)

type deleteKindKey struct{}

// VersityGW answers a delete of "dir/" (a key no one wrote, while files under it exist) with
// ErrDirectoryNotEmpty; S3 deletes nothing there and answers success (Hadoop's S3A deletes such
// parent markers after every write and retries for ever on this error).
const dirNotEmptyCode = "<Code>ErrDirectoryNotEmpty</Code>"

// serveProxy forwards requests unchanged (Host included: SigV4 signs it) to the gateway's socket
// and streams the answers back, with three exceptions where VersityGW differs from S3: keys that
// would alias another file are refused (guardRequests); a quiet DeleteObjects answers only the
// errors; deleting a "dir/" key no one wrote succeeds (fixDeleteAnswers).
func serveProxy(ctx context.Context, listen, socket string) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	transport := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	target := &url.URL{Scheme: "http", Host: "local-s3"}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme = target.Scheme
			pr.Out.URL.Host = target.Host
			pr.Out.Host = pr.In.Host
		},
		Transport:      transport,
		FlushInterval:  -1,
		ModifyResponse: fixDeleteAnswers,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "local S3 gateway: "+err.Error())
		},
	}
	server := &http.Server{
		Handler:           guardRequests(proxy),
		ReadHeaderTimeout: 30 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if server.Shutdown(shutdown) != nil {
			server.Close()
		}
	}()
	if err := server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func guardRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if key := objectKey(r.URL.Path); !pathSafeKey(key) {
			refuseKey(w, key)
			return
		}
		if src := r.Header.Get("X-Amz-Copy-Source"); src != "" {
			if decoded, err := url.PathUnescape(strings.SplitN(src, "?", 2)[0]); err != nil || !pathSafeKey(objectKey("/"+strings.TrimPrefix(decoded, "/"))) {
				refuseKey(w, src)
				return
			}
		}
		if _, isDelete := r.URL.Query()["delete"]; r.Method == http.MethodPost && isDelete {
			body, err := io.ReadAll(io.LimitReader(r.Body, maxDeleteBody+1))
			if err != nil || len(body) > maxDeleteBody {
				writeError(w, http.StatusBadRequest, "MalformedXML", "DeleteObjects body unreadable or larger than 4 MiB")
				return
			}
			for _, m := range deleteKey.FindAllSubmatch(body, -1) {
				if key := html.UnescapeString(string(m[1])); !pathSafeKey(key) {
					refuseKey(w, key)
					return
				}
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			kind := deleteObjects
			if quietTrue.Match(body) {
				kind = deleteObjectsQuiet
			}
			r = r.WithContext(context.WithValue(r.Context(), deleteKindKey{}, kind))
		} else if r.Method == http.MethodDelete && strings.HasSuffix(objectKey(r.URL.Path), "/") && r.URL.Query().Get("uploadId") == "" {
			r = r.WithContext(context.WithValue(r.Context(), deleteKindKey{}, deleteDirectoryKey))
		}
		next.ServeHTTP(w, r)
	})
}

// objectKey is the key of a path-style request path /bucket/key ("" for bucket and service calls).
func objectKey(path string) string {
	parts := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 2)
	if len(parts) < 2 {
		return ""
	}
	return parts[1]
}

// pathSafeKey: objects are files, so a key is a path; keys whose path would name another key
// ("a//b" and "a/./b" are "a/b" on disk) or leave the bucket ("..") are refused rather than
// silently read, overwritten or deleted in the other key's place.
func pathSafeKey(key string) bool {
	if key == "" {
		return true
	}
	segments := strings.Split(strings.TrimSuffix(key, "/"), "/")
	for _, s := range segments {
		if s == "" || s == "." || s == ".." {
			return false
		}
	}
	return true
}

func refuseKey(w http.ResponseWriter, key string) {
	writeError(w, http.StatusBadRequest, "InvalidArgument",
		fmt.Sprintf("the local S3 stores objects as files: key %q has an empty, '.' or '..' path segment that would alias another key; use a key without '//', leading '/', '/./' or '/../'", key))
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>", code, escapeXML(message))
}

func fixDeleteAnswers(res *http.Response) error {
	kind, _ := res.Request.Context().Value(deleteKindKey{}).(deleteKind)
	if kind == 0 {
		return nil
	}
	if kind == deleteDirectoryKey && res.StatusCode != http.StatusBadRequest {
		return nil
	}
	if kind != deleteDirectoryKey && res.StatusCode != http.StatusOK {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	res.Body.Close()
	if err != nil {
		return err
	}
	switch kind {
	case deleteDirectoryKey:
		if bytes.Contains(body, []byte(dirNotEmptyCode)) {
			res.StatusCode = http.StatusNoContent
			res.Status = "204 No Content"
			res.Header.Del("Content-Type")
			body = nil
		}
	case deleteObjects, deleteObjectsQuiet:
		body = errorItem.ReplaceAllFunc(body, func(item []byte) []byte {
			if !bytes.Contains(item, []byte(dirNotEmptyCode)) {
				return item
			}
			key := deleteKey.Find(item)
			if key == nil || kind == deleteObjectsQuiet {
				return nil
			}
			return append(append([]byte("<Deleted>"), key...), "</Deleted>"...)
		})
		if kind == deleteObjectsQuiet {
			body = deleted.ReplaceAll(body, nil)
		}
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	res.ContentLength = int64(len(body))
	if res.StatusCode == http.StatusNoContent {
		res.Header.Del("Content-Length")
	} else {
		res.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	return nil
}

func escapeXML(s string) string {
	var b bytes.Buffer
	_ = xmlEscape(&b, s)
	return b.String()
}

func xmlEscape(w io.Writer, s string) error {
	return xml.EscapeText(w, []byte(s))
}
