package v8

import (
	"errors"
	"fmt"

	v8go "github.com/tommie/v8go"
)

// HostFunc is a Go function that JavaScript calls as __zs_host.name(...).
// It runs on the isolate's thread, synchronously. Its result is converted as
// [Function.Call] converts arguments (nil → undefined); a non-nil error is
// thrown into JavaScript as an Error (a *[TypeError] as a TypeError).
type HostFunc func(c *Call) (any, error)

// Call gives a [HostFunc] access to its arguments. It is valid only during the
// host call.
type Call struct {
	i    *Isolate
	args []*v8go.Value
}

// Isolate returns the isolate the call runs in.
func (c *Call) Isolate() *Isolate { return c.i }

// Len is the number of arguments passed.
func (c *Call) Len() int { return len(c.args) }

func (c *Call) arg(n int) *v8go.Value {
	if n < len(c.args) {
		return c.args[n]
	}
	return nil
}

// Int returns argument n as an integer; 0 if it is missing.
func (c *Call) Int(n int) int64 {
	if a := c.arg(n); a != nil {
		return a.Integer()
	}
	return 0
}

// Float returns argument n as a number; NaN-free 0 if it is missing.
func (c *Call) Float(n int) float64 {
	if a := c.arg(n); a != nil {
		return a.Number()
	}
	return 0
}

// Bool returns argument n's truthiness.
func (c *Call) Bool(n int) bool {
	if a := c.arg(n); a != nil {
		return a.Boolean()
	}
	return false
}

// String returns argument n converted to a string; "" if it is missing or
// undefined.
func (c *Call) String(n int) string {
	a := c.arg(n)
	if a == nil || a.IsNullOrUndefined() {
		return ""
	}
	return a.String()
}

// IsNullish reports whether argument n is missing, undefined or null.
func (c *Call) IsNullish(n int) bool {
	a := c.arg(n)
	return a == nil || a.IsNullOrUndefined()
}

// Bytes returns a copy of the first size bytes of argument n, which must be a
// SharedArrayBuffer (the scratch area or one allocated by JavaScript). When
// argument n is the scratch area and size exceeds it, the bytes are the ones
// staged with host.stage (see the package doc), which the call takes.
func (c *Call) Bytes(n int, size int) ([]byte, error) {
	if size > len(c.i.scratch) && len(c.i.staged) == size {
		b := c.i.staged
		c.i.staged = nil
		return b, nil
	}
	b, rel, err := c.shared(n)
	if err != nil {
		return nil, err
	}
	defer rel()
	if size < 0 || size > len(b) {
		return nil, fmt.Errorf("v8: %d bytes requested from a %d-byte buffer", size, len(b))
	}
	out := make([]byte, size)
	copy(out, b)
	return out, nil
}

// Fill copies src into the SharedArrayBuffer passed as argument n. It fails
// if src does not fit.
func (c *Call) Fill(n int, src []byte) error {
	b, rel, err := c.shared(n)
	if err != nil {
		return err
	}
	defer rel()
	if len(src) > len(b) {
		return fmt.Errorf("v8: %d bytes do not fit a %d-byte buffer", len(src), len(b))
	}
	copy(b, src)
	return nil
}

func (c *Call) shared(n int) ([]byte, func(), error) {
	a := c.arg(n)
	if a == nil || !a.IsSharedArrayBuffer() {
		return nil, nil, fmt.Errorf("v8: argument %d is not a SharedArrayBuffer", n)
	}
	return a.SharedArrayBufferGetContents()
}

// TypeError is an error that a [HostFunc] returns to throw a JavaScript
// TypeError instead of an Error.
type TypeError struct{ Msg string }

func (e *TypeError) Error() string { return e.Msg }

// RangeError is an error that a [HostFunc] returns to throw a JavaScript
// RangeError.
type RangeError struct{ Msg string }

func (e *RangeError) Error() string { return e.Msg }

// DOMError is an error that a [HostFunc] returns to throw a DOMException-like
// error: the prelude's error helper turns "Name: message" into a
// DOMException when Name is one of its known names.
type DOMError struct{ Name, Msg string }

func (e *DOMError) Error() string { return e.Name + ": " + e.Msg }

// Func defines __zs_host.name as a function that runs fn. Define host
// functions before running the prelude.
func (i *Isolate) Func(name string, fn HostFunc) {
	tmpl := v8go.NewFunctionTemplateWithError(i.iso, func(info *v8go.FunctionCallbackInfo) (*v8go.Value, error) {
		c := Call{i: i, args: info.Args()}
		res, err := fn(&c)
		info.Release()
		if err != nil {
			if ex := i.jsError(err); ex != nil {
				return nil, ex
			}
			return nil, nil // thrown with ThrowException
		}
		if res == nil {
			return nil, nil
		}
		if v, ok := res.(Value); ok {
			// Ownership passes to V8; release the Go handle after the task.
			i.deferred = append(i.deferred, v.v)
			return v.v, nil
		}
		v, cerr := i.newValue(res)
		if cerr != nil {
			return nil, i.jsError(cerr)
		}
		i.deferred = append(i.deferred, v)
		return v, nil
	})
	fv := tmpl.GetFunction(i.ctx)
	if err := i.host.Set(name, fv); err != nil {
		panic(fmt.Sprintf("v8: define host function %s: %v", name, err))
	}
}

// jsError turns err into an exception, or throws it itself and returns nil created in the isolate's own context
// (v8go creates its error values in an internal context, whose TypeError is
// not the user's TypeError), through the prelude-independent factory defined
// in New.
func (i *Isolate) jsError(err error) error {
	kind, msg := "Error", err.Error()
	var te *TypeError
	var re *RangeError
	var de *DOMError
	switch {
	case errors.As(err, &te):
		kind, msg = "TypeError", te.Msg
	case errors.As(err, &re):
		kind, msg = "RangeError", re.Msg
	case errors.As(err, &de):
		kind, msg = de.Name, de.Msg
	}
	v, cerr := i.mkerr.Call(kind, msg)
	if cerr != nil {
		return v8go.NewError(i.iso, msg)
	}
	i.deferred = append(i.deferred, v.v)
	ex, xerr := v.v.AsException()
	if xerr != nil {
		// Not a native error (a DOMException made by the prelude): throw
		// the value itself.
		i.iso.ThrowException(v.v)
		return nil
	}
	return ex
}
