// Command wsload loads a WebSocket echo server for bench/websocket.sh.
//
//	wsload -url ws://host:port/ -mode echo -conns 16 -dur 10s
//	    sequential echo round trips on each connection; prints "rtps N"
//	wsload -url ws://host:port/ -mode idle -conns 10000 -hold 30s
//	    opens conns connections, prints "open N" once all are up, then
//	    holds them idle for the hold time (the script samples the server's
//	    memory meanwhile) and closes them.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zerostack/zerostack/internal/websocket"
)

type handler struct{ msgs chan []byte }

func (h handler) Message(_ *websocket.Conn, _ bool, data []byte)   { h.msgs <- data }
func (h handler) Close(c *websocket.Conn, _ int, _ string, _ bool) { close(h.msgs) }
func (h handler) Error(_ *websocket.Conn, _ error)                 { close(h.msgs) }

func dial(url string) (*websocket.Conn, chan []byte, error) {
	c, resp, err := websocket.Dial(context.Background(), url, nil)
	if err != nil {
		return nil, nil, err
	}
	if c == nil {
		resp.Body.Close()
		return nil, nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	h := handler{make(chan []byte, 1)}
	c.Start(h)
	return c, h.msgs, nil
}

func main() {
	url := flag.String("url", "", "ws:// URL of an echo server")
	mode := flag.String("mode", "echo", "echo or idle")
	conns := flag.Int("conns", 16, "connections")
	dur := flag.Duration("dur", 10*time.Second, "echo: how long to load")
	hold := flag.Duration("hold", 30*time.Second, "idle: how long to hold the connections")
	size := flag.Int("size", 32, "echo: message size in bytes")
	flag.Parse()
	switch *mode {
	case "echo":
		msg := make([]byte, *size)
		for i := range msg {
			msg[i] = 'a' + byte(i%26)
		}
		var n atomic.Int64
		var wg sync.WaitGroup
		deadline := time.Now().Add(*dur)
		for i := 0; i < *conns; i++ {
			c, msgs, err := dial(*url)
			if err != nil {
				fmt.Fprintln(os.Stderr, "dial:", err)
				os.Exit(1)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(deadline) {
					c.SendText(string(msg))
					if _, ok := <-msgs; !ok {
						fmt.Fprintln(os.Stderr, "connection closed by the server")
						os.Exit(1)
					}
					n.Add(1)
				}
				c.Close(1000, "")
			}()
		}
		start := time.Now()
		wg.Wait()
		fmt.Printf("rtps %.0f\n", float64(n.Load())/time.Since(start).Seconds())
	case "idle":
		all := make([]*websocket.Conn, 0, *conns)
		var mu sync.Mutex
		var wg sync.WaitGroup
		sem := make(chan struct{}, 64)
		var failed atomic.Int64
		for i := 0; i < *conns; i++ {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				c, msgs, err := dial(*url)
				if err != nil {
					if failed.Add(1) == 1 {
						fmt.Fprintln(os.Stderr, "dial:", err)
					}
					return
				}
				// One round trip proves the connection works end to end.
				c.SendText("x")
				<-msgs
				mu.Lock()
				all = append(all, c)
				mu.Unlock()
			}()
		}
		wg.Wait()
		fmt.Printf("open %d failed %d\n", len(all), failed.Load())
		time.Sleep(*hold)
		for _, c := range all {
			c.Close(1000, "")
		}
		time.Sleep(time.Second)
	default:
		fmt.Fprintln(os.Stderr, "mode is echo or idle")
		os.Exit(2)
	}
}
