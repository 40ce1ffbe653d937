// node:diagnostics_channel — named channels that publish messages to
// subscribers, and tracing channels, as Node.js documents them.
import { invalidArgType, validateFunction } from "zerostack:node/errors";

const channels = new Map();

export class Channel {
  #subscribers = [];
  #stores = new Map();
  constructor(name) { this.name = name; }
  get hasSubscribers() { return this.#subscribers.length > 0 || this.#stores.size > 0; }
  subscribe(fn) { validateFunction(fn, "subscription"); this.#subscribers.push(fn); }
  unsubscribe(fn) {
    const i = this.#subscribers.indexOf(fn);
    if (i < 0) return false;
    this.#subscribers.splice(i, 1);
    return true;
  }
  publish(message) {
    for (const fn of this.#subscribers.slice()) {
      try { fn(message, this.name); } catch (e) { queueMicrotask(() => { throw e; }); }
    }
  }
  bindStore(store, transform) { this.#stores.set(store, transform); }
  unbindStore(store) { return this.#stores.delete(store); }
  runStores(data, fn, thisArg, ...args) {
    let run = () => { this.publish(data); return Reflect.apply(fn, thisArg, args); };
    for (const [store, transform] of this.#stores) {
      const inner = run;
      run = () => store.run(transform ? transform(data) : data, inner);
    }
    return run();
  }
}

export function channel(name) {
  if (typeof name !== "string" && typeof name !== "symbol") throw invalidArgType("channel", "of type string or symbol", name);
  let c = channels.get(name);
  if (!c) { c = new Channel(name); channels.set(name, c); }
  return c;
}
export function hasSubscribers(name) { return channels.has(name) && channels.get(name).hasSubscribers; }
export function subscribe(name, fn) { channel(name).subscribe(fn); }
export function unsubscribe(name, fn) { return channels.has(name) ? channels.get(name).unsubscribe(fn) : false; }

const EVENTS = ["start", "end", "asyncStart", "asyncEnd", "error"];

export class TracingChannel {
  constructor(nameOrChannels) {
    for (const ev of EVENTS) {
      this[ev] = typeof nameOrChannels === "string" ? channel(`tracing:${nameOrChannels}:${ev}`) : nameOrChannels[ev];
    }
  }
  get hasSubscribers() { return EVENTS.some((ev) => this[ev].hasSubscribers); }
  subscribe(handlers) { for (const ev of EVENTS) if (handlers[ev]) this[ev].subscribe(handlers[ev]); }
  unsubscribe(handlers) {
    let all = true;
    for (const ev of EVENTS) if (handlers[ev] && !this[ev].unsubscribe(handlers[ev])) all = false;
    return all;
  }
  traceSync(fn, context = {}, thisArg, ...args) {
    return this.start.runStores(context, () => {
      try {
        context.result = Reflect.apply(fn, thisArg, args);
        return context.result;
      } catch (err) {
        context.error = err;
        this.error.publish(context);
        throw err;
      } finally {
        this.end.publish(context);
      }
    });
  }
  tracePromise(fn, context = {}, thisArg, ...args) {
    return this.start.runStores(context, () => {
      try {
        const p = Promise.resolve(Reflect.apply(fn, thisArg, args));
        return p.then((result) => {
          context.result = result;
          this.asyncStart.publish(context);
          this.asyncEnd.publish(context);
          return result;
        }, (err) => {
          context.error = err;
          this.error.publish(context);
          this.asyncStart.publish(context);
          this.asyncEnd.publish(context);
          throw err;
        });
      } catch (err) {
        context.error = err;
        this.error.publish(context);
        throw err;
      } finally {
        this.end.publish(context);
      }
    });
  }
  traceCallback(fn, position = -1, context = {}, thisArg, ...args) {
    const i = position < 0 ? args.length + position : position;
    const callback = args[i];
    validateFunction(callback, "callback");
    args[i] = (err, res) => {
      if (err) { context.error = err; this.error.publish(context); } else context.result = res;
      this.asyncStart.publish(context);
      try { return callback(err, res); } finally { this.asyncEnd.publish(context); }
    };
    return this.traceSync(fn, context, thisArg, ...args);
  }
}

export function tracingChannel(nameOrChannels) { return new TracingChannel(nameOrChannels); }

export default { channel, hasSubscribers, subscribe, unsubscribe, tracingChannel, Channel };
