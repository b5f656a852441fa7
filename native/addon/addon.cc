// The only node-addon-api file: argument checks, type conversion, calls into
// the C core (hbcore.h), and errno -> JS Error mapping. No protocol logic here.
#include <napi.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "hbcore.h"
}

namespace {

// A JS Error whose `code` is the errno name and whose message says what failed.
Napi::Error ErrnoError(Napi::Env env, int err, const std::string &op) {
  if (err < 0) err = -err;
  const char *name = strerrorname_np(err);
  Napi::Error e = Napi::Error::New(env, op + ": " + std::strerror(err));
  e.Set("code", Napi::String::New(env, name ? name : "EUNKNOWN"));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("op", Napi::String::New(env, op));
  return e;
}

std::string StringArg(const Napi::CallbackInfo &info, size_t i, const char *what) {
  if (info.Length() <= i || !info[i].IsString())
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

int32_t IntArg(const Napi::CallbackInfo &info, size_t i, const char *what) {
  if (info.Length() <= i || !info[i].IsNumber())
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
  return info[i].As<Napi::Number>().Int32Value();
}

Napi::Value SyslogOpen(const Napi::CallbackInfo &info) {
  std::string ident = StringArg(info, 0, "ident");
  std::string facility = StringArg(info, 1, "facility");
  int rc = hb_syslog_open(ident.c_str(), facility.c_str());
  if (rc < 0) throw ErrnoError(info.Env(), rc, "opening syslog with facility " + facility);
  return info.Env().Undefined();
}

Napi::Value SyslogWrite(const Napi::CallbackInfo &info) {
  int32_t priority = IntArg(info, 0, "priority");
  std::string message = StringArg(info, 1, "message");
  hb_syslog_write(priority, message.c_str());
  return info.Env().Undefined();
}

// ---- heartbeat engine -------------------------------------------------------

std::string OptString(const Napi::Object &o, const char *key, size_t max, const char *what) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return "";
  if (!v.IsString()) throw Napi::TypeError::New(o.Env(), std::string(what) + "." + key + " must be a string");
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s.size() >= max) throw Napi::RangeError::New(o.Env(), std::string(what) + "." + key + " is too long");
  return s;
}

int64_t OptNumber(const Napi::Object &o, const char *key, int64_t dflt) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return dflt;
  if (v.IsBigInt()) {
    bool lossless;
    return static_cast<int64_t>(v.As<Napi::BigInt>().Uint64Value(&lossless));
  }
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a number");
  return v.As<Napi::Number>().Int64Value();
}

void CopyString(char *dst, size_t cap, const std::string &s) {
  std::snprintf(dst, cap, "%s", s.c_str());
}

hb_medium_kind MediumKind(Napi::Env env, const std::string &k) {
  if (k == "bcast") return HB_MEDIUM_BCAST;
  if (k == "ucast") return HB_MEDIUM_UCAST;
  if (k == "mcast") return HB_MEDIUM_MCAST;
  if (k == "ucast6") return HB_MEDIUM_UCAST6;
  if (k == "mcast6") return HB_MEDIUM_MCAST6;
  if (k == "serial") return HB_MEDIUM_SERIAL;
  throw Napi::TypeError::New(env, "unknown medium kind " + k);
}

// JS engine config -> hb_engine_config (heap: it is large).
std::unique_ptr<hb_engine_config> EngineConfigFromJs(const Napi::Object &o) {
  Napi::Env env = o.Env();
  auto c = std::make_unique<hb_engine_config>();
  std::memset(c.get(), 0, sizeof *c);
  CopyString(c->node_name, sizeof c->node_name, OptString(o, "nodeName", sizeof c->node_name, "config"));
  Napi::Value uuid = o.Get("uuid");
  if (!uuid.IsBuffer() || uuid.As<Napi::Buffer<uint8_t>>().Length() != HB_UUID_LEN)
    throw Napi::TypeError::New(env, "config.uuid must be a 16-byte Buffer");
  std::memcpy(c->uuid, uuid.As<Napi::Buffer<uint8_t>>().Data(), HB_UUID_LEN);
  c->generation = static_cast<uint64_t>(OptNumber(o, "generation", 0));
  Napi::Value nodes = o.Get("nodes");
  if (!nodes.IsArray()) throw Napi::TypeError::New(env, "config.nodes must be an array");
  Napi::Array na = nodes.As<Napi::Array>();
  if (na.Length() > HB_ENGINE_MAX_NODES) throw Napi::RangeError::New(env, "too many nodes");
  c->nnodes = na.Length();
  for (uint32_t i = 0; i < na.Length(); i++) {
    Napi::Value n = na.Get(i);
    if (!n.IsString()) throw Napi::TypeError::New(env, "config.nodes must hold strings");
    CopyString(c->nodes[i], sizeof c->nodes[i], n.As<Napi::String>().Utf8Value());
  }
  Napi::Value media = o.Get("media");
  if (!media.IsArray()) throw Napi::TypeError::New(env, "config.media must be an array");
  Napi::Array ma = media.As<Napi::Array>();
  if (ma.Length() > HB_ENGINE_MAX_MEDIA) throw Napi::RangeError::New(env, "too many media");
  c->nmedia = ma.Length();
  for (uint32_t i = 0; i < ma.Length(); i++) {
    Napi::Object m = ma.Get(i).As<Napi::Object>();
    hb_medium_config *mc = &c->media[i];
    mc->kind = MediumKind(env, OptString(m, "kind", 16, "medium"));
    CopyString(mc->iface, sizeof mc->iface, OptString(m, "iface", sizeof mc->iface, "medium"));
    CopyString(mc->address, sizeof mc->address, OptString(m, "address", sizeof mc->address, "medium"));
    CopyString(mc->device, sizeof mc->device, OptString(m, "device", sizeof mc->device, "medium"));
    mc->port = static_cast<uint16_t>(OptNumber(m, "port", 694));
    mc->ttl = static_cast<int>(OptNumber(m, "ttl", 1));
    mc->loop = static_cast<int>(OptNumber(m, "loop", 0));
    mc->baud = static_cast<unsigned>(OptNumber(m, "baud", 19200));
  }
  Napi::Value ping = o.Get("ping");
  if (ping.IsArray()) {
    Napi::Array pa = ping.As<Napi::Array>();
    if (pa.Length() > HB_ENGINE_MAX_PING) throw Napi::RangeError::New(env, "too many ping nodes");
    c->nping = pa.Length();
    for (uint32_t i = 0; i < pa.Length(); i++) {
      Napi::Object p = pa.Get(i).As<Napi::Object>();
      CopyString(c->ping[i].name, sizeof c->ping[i].name, OptString(p, "name", sizeof c->ping[i].name, "ping"));
      Napi::Array addrs = p.Get("addresses").As<Napi::Array>();
      if (addrs.Length() == 0 || addrs.Length() > HB_PING_GROUP_MAX_ADDRS)
        throw Napi::RangeError::New(env, "a ping node needs 1.." + std::to_string(HB_PING_GROUP_MAX_ADDRS) + " addresses");
      c->ping[i].naddrs = addrs.Length();
      for (uint32_t a = 0; a < addrs.Length(); a++)
        CopyString(c->ping[i].addrs[a], sizeof c->ping[i].addrs[a], addrs.Get(a).As<Napi::String>().Utf8Value());
    }
  }
  c->keepalive_ms = static_cast<uint32_t>(OptNumber(o, "keepaliveMs", 1000));
  c->deadtime_ms = static_cast<uint32_t>(OptNumber(o, "deadtimeMs", 30000));
  c->warntime_ms = static_cast<uint32_t>(OptNumber(o, "warntimeMs", c->deadtime_ms / 2));
  c->initdead_ms = static_cast<uint32_t>(OptNumber(o, "initdeadMs", c->deadtime_ms));
  c->deadping_ms = static_cast<uint32_t>(OptNumber(o, "deadpingMs", c->deadtime_ms));
  c->max_rexmit_delay_ms = static_cast<uint32_t>(OptNumber(o, "maxRexmitDelayMs", 250));
  c->ttl = static_cast<unsigned>(OptNumber(o, "ttl", c->nnodes + 1));
  c->omit_inner_auth = o.Get("omitInnerAuth").ToBoolean();
  c->log_bad_packets = o.Has("logBadPackets") ? o.Get("logBadPackets").ToBoolean().Value() : true;
  c->realtime = o.Get("realtime").ToBoolean();
  c->rtprio = static_cast<int>(OptNumber(o, "rtprio", 0));
  CopyString(c->serial_lock_dir, sizeof c->serial_lock_dir, OptString(o, "serialLockDir", sizeof c->serial_lock_dir, "config"));
  hb_keys_init(&c->keys);
  Napi::Object keys = o.Get("keys").As<Napi::Object>();
  Napi::Array entries = keys.Get("entries").As<Napi::Array>();
  for (uint32_t i = 0; i < entries.Length(); i++) {
    Napi::Object k = entries.Get(i).As<Napi::Object>();
    int index = static_cast<int>(OptNumber(k, "index", -1));
    hb_auth_method method = hb_auth_method_from_name(OptString(k, "method", 8, "key").c_str());
    std::string secret = OptString(k, "secret", HB_AUTH_KEY_MAX + 1, "key");
    if (index < 0 || hb_keys_set(&c->keys, static_cast<unsigned>(index), method, secret.data(), secret.size()) < 0)
      throw Napi::RangeError::New(env, "invalid auth key entry " + std::to_string(index));
  }
  if (hb_keys_set_signing(&c->keys, static_cast<unsigned>(OptNumber(keys, "sign", -1))) < 0)
    throw Napi::RangeError::New(env, "config.keys.sign names no configured entry");
  return c;
}

const char *EventTypeName(hb_event_type t) {
  switch (t) {
    case HB_EV_NODE_STATUS: return "node-status";
    case HB_EV_LINK_STATUS: return "link-status";
    case HB_EV_LATE_HEARTBEAT: return "late-heartbeat";
    case HB_EV_MESSAGE: return "message";
    case HB_EV_NODE_RESTART: return "node-restart";
    case HB_EV_PARTITION_RETURN: return "partition-return";
    case HB_EV_LOST_PACKETS: return "lost-packets";
    case HB_EV_IRRETRIEVABLE: return "irretrievable";
    case HB_EV_DROP: return "drop";
    case HB_EV_MEDIUM_ERROR: return "medium-error";
    case HB_EV_TARDY: return "tardy";
    case HB_EV_REXMIT_TOO_NEW: return "rexmit-too-new";
  }
  return "unknown";
}

// Message fields as [name, string | Buffer] pairs.
Napi::Array FieldsToJs(Napi::Env env, const uint8_t *body, size_t len) {
  std::vector<uint8_t> store(len + 1);
  auto msg = std::make_unique<hb_msg>();
  hb_msg_init(msg.get(), store.data(), store.size());
  size_t used = 0;
  Napi::Array out = Napi::Array::New(env);
  if (hb_decode_netstring(msg.get(), body, len, &used) != HB_DROP_NONE) return out;
  for (size_t i = 0; i < msg->nfields; i++) {
    const hb_field &f = msg->field[i];
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, Napi::String::New(env, f.name, f.name_len));
    if (f.type == HB_FIELD_BINARY)
      pair.Set(1u, Napi::Buffer<uint8_t>::Copy(env, f.value, f.value_len));
    else
      pair.Set(1u, Napi::String::New(env, reinterpret_cast<const char *>(f.value), f.value_len));
    out.Set(static_cast<uint32_t>(i), pair);
  }
  return out;
}

class Engine : public Napi::ObjectWrap<Engine> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Engine",
                       {InstanceMethod("start", &Engine::Start), InstanceMethod("stop", &Engine::Stop),
                        InstanceMethod("setStatus", &Engine::SetStatus), InstanceMethod("send", &Engine::Send),
                        InstanceMethod("poll", &Engine::Poll), InstanceMethod("view", &Engine::View),
                        InstanceMethod("counters", &Engine::Counters)});
  }

  explicit Engine(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Engine>(info) {}
  ~Engine() override { Release(); }

  // Called by CreateEngineWorker on the JS thread once the engine exists.
  void Adopt(hb_engine *e, Napi::ThreadSafeFunction tsfn) {
    engine_ = e;
    tsfn_ = tsfn;
  }

  static void Notify(void *arg) {
    auto *tsfn = static_cast<Napi::ThreadSafeFunction *>(arg);
    tsfn->NonBlockingCall();
  }

  Napi::ThreadSafeFunction *TsfnSlot() { return &tsfn_; }

 private:
  hb_engine *engine_ = nullptr;
  Napi::ThreadSafeFunction tsfn_;
  bool released_ = false;

  hb_engine *Need(Napi::Env env) {
    if (!engine_) throw Napi::Error::New(env, "the engine has been stopped");
    return engine_;
  }

  void Release() {
    if (released_) return;
    released_ = true;
    if (engine_) {
      hb_engine_destroy(engine_);
      engine_ = nullptr;
    }
    if (tsfn_) tsfn_.Release();
  }

  Napi::Value Start(const Napi::CallbackInfo &info) {
    int rc = hb_engine_start(Need(info.Env()));
    if (rc < 0) throw ErrnoError(info.Env(), rc, "starting the heartbeat thread");
    return info.Env().Undefined();
  }

  Napi::Value Stop(const Napi::CallbackInfo &info) {
    Release();
    return info.Env().Undefined();
  }

  Napi::Value SetStatus(const Napi::CallbackInfo &info) {
    std::string st = StringArg(info, 0, "status");
    int rc = hb_engine_set_status(Need(info.Env()), st.c_str());
    if (rc < 0) throw ErrnoError(info.Env(), rc, "setting our status to " + st);
    return info.Env().Undefined();
  }

  // send([[name, value], ...]): the message's own fields, in order.
  Napi::Value Send(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsArray()) throw Napi::TypeError::New(env, "fields must be an array");
    Napi::Array fields = info[0].As<Napi::Array>();
    std::vector<uint8_t> store(HB_MSG_MAX / 4);
    auto msg = std::make_unique<hb_msg>();
    hb_msg_init(msg.get(), store.data(), store.size());
    for (uint32_t i = 0; i < fields.Length(); i++) {
      Napi::Value pv = fields.Get(i);
      if (!pv.IsArray()) throw Napi::TypeError::New(env, "each field must be [name, value]");
      Napi::Array pair = pv.As<Napi::Array>();
      std::string name = pair.Get(0u).ToString().Utf8Value();
      Napi::Value v = pair.Get(1u);
      int rc;
      if (v.IsBuffer()) {
        auto b = v.As<Napi::Buffer<uint8_t>>();
        rc = hb_msg_add(msg.get(), name.c_str(), HB_FIELD_BINARY, b.Data(), b.Length());
      } else {
        std::string s = v.ToString().Utf8Value();
        rc = hb_msg_add(msg.get(), name.c_str(), HB_FIELD_STRING, s.data(), s.size());
      }
      if (rc < 0) throw ErrnoError(env, rc, "adding field " + name);
    }
    std::vector<uint8_t> body(store.size() * 2 + 64);
    ssize_t n = hb_encode_netstring(msg.get(), body.data(), body.size());
    if (n < 0) throw ErrnoError(env, static_cast<int>(n), "encoding the message");
    int rc = hb_engine_send(Need(env), body.data(), static_cast<size_t>(n));
    if (rc < 0) throw ErrnoError(env, rc, "queueing the message");
    return env.Undefined();
  }

  Napi::Value Poll(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    Napi::Array out = Napi::Array::New(env);
    if (!engine_) return out;
    hb_event evs[64];
    uint32_t count = 0;
    for (;;) {
      size_t n = hb_engine_poll(engine_, evs, 64);
      for (size_t i = 0; i < n; i++) {
        hb_event &ev = evs[i];
        Napi::Object o = Napi::Object::New(env);
        o.Set("type", EventTypeName(ev.type));
        o.Set("monoMs", Napi::Number::New(env, static_cast<double>(ev.mono_ms)));
        if (ev.node[0]) o.Set("node", ev.node);
        if (ev.link[0]) o.Set("link", ev.link);
        if (ev.status[0]) o.Set("status", ev.status);
        o.Set("value", Napi::Number::New(env, static_cast<double>(ev.value)));
        o.Set("value2", Napi::Number::New(env, static_cast<double>(ev.value2)));
        if (ev.text[0]) o.Set("text", ev.text);
        if (ev.type == HB_EV_MEDIUM_ERROR && ev.value > 0) {
          const char *name = strerrorname_np(static_cast<int>(ev.value));
          o.Set("code", name ? name : "EUNKNOWN");
          o.Set("errorText", std::strerror(static_cast<int>(ev.value)));
        }
        if (ev.type == HB_EV_MESSAGE && ev.payload) o.Set("fields", FieldsToJs(env, ev.payload, ev.payload_len));
        hb_event_free(&ev);
        out.Set(count++, o);
      }
      if (n < 64) break;
    }
    return out;
  }

  Napi::Value View(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    auto v = std::make_unique<hb_engine_view>();
    hb_engine_view_get(Need(env), v.get());
    Napi::Object o = Napi::Object::New(env);
    o.Set("nowMs", Napi::Number::New(env, static_cast<double>(v->now_ms)));
    o.Set("startedMs", Napi::Number::New(env, static_cast<double>(v->started_ms)));
    o.Set("ownStatus", v->own_status);
    o.Set("seq", Napi::Number::New(env, static_cast<double>(v->seq)));
    Napi::Array nodes = Napi::Array::New(env, v->nnodes);
    for (size_t i = 0; i < v->nnodes; i++) {
      const hb_node_view &n = v->nodes[i];
      Napi::Object no = Napi::Object::New(env);
      no.Set("name", n.name);
      no.Set("type", n.is_ping ? "ping" : "normal");
      no.Set("self", Napi::Boolean::New(env, n.is_self));
      no.Set("status", n.status);
      no.Set("lastHeardMs", Napi::Number::New(env, static_cast<double>(n.last_heard_ms)));
      no.Set("deadtimeMs", Napi::Number::New(env, n.deadtime_ms));
      no.Set("generation", Napi::Number::New(env, static_cast<double>(n.generation)));
      no.Set("lastSeq", Napi::Number::New(env, static_cast<double>(n.last_seq)));
      if (n.uuid_hex[0]) no.Set("uuid", n.uuid_hex);
      Napi::Array links = Napi::Array::New(env, n.nlinks);
      for (size_t l = 0; l < n.nlinks; l++) {
        Napi::Object lo = Napi::Object::New(env);
        lo.Set("name", n.links[l].name);
        lo.Set("status", n.links[l].up ? "up" : "dead");
        lo.Set("lastHeardMs", Napi::Number::New(env, static_cast<double>(n.links[l].last_heard_ms)));
        links.Set(static_cast<uint32_t>(l), lo);
      }
      no.Set("links", links);
      nodes.Set(static_cast<uint32_t>(i), no);
    }
    o.Set("nodes", nodes);
    return o;
  }

  // A copy of the counters block: { name: bigint }.
  Napi::Value Counters(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    const uint64_t *c = hb_engine_counters(Need(env));
    Napi::Object o = Napi::Object::New(env);
    for (int i = 0; i < HB_CTR_COUNT; i++)
      o.Set(hb_counter_name(i), Napi::BigInt::New(env, __atomic_load_n(&c[i], __ATOMIC_RELAXED)));
    return o;
  }
};

Napi::FunctionReference *engine_ctor = nullptr;

// createEngine(config, onEvents): Promise<Engine>.  Opening sockets and
// serial ports (termios) happens off the JS thread.
class CreateEngineWorker : public Napi::AsyncWorker {
 public:
  CreateEngineWorker(Napi::Env env, std::unique_ptr<hb_engine_config> cfg, Napi::Function onEvents)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), cfg_(std::move(cfg)) {
    holder_ = Napi::Persistent(engine_ctor->New({}));
    Engine *wrap = Engine::Unwrap(holder_.Value());
    *wrap->TsfnSlot() = Napi::ThreadSafeFunction::New(env, onEvents, "hbd-engine-events", 0, 1);
    wrap->TsfnSlot()->Unref(env);
    slot_ = wrap->TsfnSlot();
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    engine_ = hb_engine_create(cfg_.get(), Engine::Notify, slot_, &err_, errtext_, sizeof errtext_);
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object obj = holder_.Value();
    Engine *wrap = Engine::Unwrap(obj);
    if (!engine_) {
      wrap->Adopt(nullptr, *slot_);
      deferred_.Reject(ErrnoError(env, err_, std::string("creating the heartbeat engine: ") + errtext_).Value());
      return;
    }
    wrap->Adopt(engine_, *slot_);
    deferred_.Resolve(obj);
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::unique_ptr<hb_engine_config> cfg_;
  Napi::ObjectReference holder_;
  Napi::ThreadSafeFunction *slot_ = nullptr;
  hb_engine *engine_ = nullptr;
  int err_ = 0;
  char errtext_[256] = "";
};

Napi::Value CreateEngine(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction())
    throw Napi::TypeError::New(env, "createEngine(config, onEvents)");
  auto cfg = EngineConfigFromJs(info[0].As<Napi::Object>());
  auto *worker = new CreateEngineWorker(env, std::move(cfg), info[1].As<Napi::Function>());
  Napi::Promise p = worker->Promise();
  worker->Queue();
  return p;
}

// encodeDatagram(fields, keys, framing): a complete datagram as a peer would
// send it (netstring + inner auth + outer trailer, or classic + inner auth).
// The caller supplies every field, control fields included: used by tests
// and tools to forge, replay and probe.
Napi::Value EncodeDatagram(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsArray() || !info[1].IsObject() || !info[2].IsString())
    throw Napi::TypeError::New(env, "encodeDatagram(fields, keys, 'netstring'|'classic')");
  std::string framing = info[2].As<Napi::String>().Utf8Value();
  Napi::Object keysObj = info[1].As<Napi::Object>();
  hb_keys keys;
  hb_keys_init(&keys);
  Napi::Array entries = keysObj.Get("entries").As<Napi::Array>();
  for (uint32_t i = 0; i < entries.Length(); i++) {
    Napi::Object k = entries.Get(i).As<Napi::Object>();
    std::string secret = OptString(k, "secret", HB_AUTH_KEY_MAX + 1, "key");
    hb_keys_set(&keys, static_cast<unsigned>(OptNumber(k, "index", 0)), hb_auth_method_from_name(OptString(k, "method", 8, "key").c_str()),
                secret.data(), secret.size());
  }
  if (hb_keys_set_signing(&keys, static_cast<unsigned>(OptNumber(keysObj, "sign", 0))) < 0)
    throw Napi::RangeError::New(env, "keys.sign names no configured entry");
  std::vector<uint8_t> store(65536);
  auto msg = std::make_unique<hb_msg>();
  hb_msg_init(msg.get(), store.data(), store.size());
  Napi::Array fields = info[0].As<Napi::Array>();
  for (uint32_t i = 0; i < fields.Length(); i++) {
    Napi::Array pair = fields.Get(i).As<Napi::Array>();
    std::string name = pair.Get(0u).ToString().Utf8Value();
    Napi::Value v = pair.Get(1u);
    int rc;
    if (v.IsBuffer()) {
      auto b = v.As<Napi::Buffer<uint8_t>>();
      rc = hb_msg_add(msg.get(), name.c_str(), HB_FIELD_BINARY, b.Data(), b.Length());
    } else {
      std::string sv = v.ToString().Utf8Value();
      rc = hb_msg_add(msg.get(), name.c_str(), HB_FIELD_STRING, sv.data(), sv.size());
    }
    if (rc < 0) throw ErrnoError(env, rc, "adding field " + name);
  }
  std::vector<uint8_t> out(131072);
  ssize_t n;
  if (framing == "classic") {
    int rc = hb_msg_sign(msg.get(), &keys);
    if (rc < 0) throw ErrnoError(env, rc, "signing");
    n = hb_encode_classic(msg.get(), out.data(), out.size());
  } else {
    n = hb_encode_udp(msg.get(), &keys, out.data(), out.size());
  }
  if (n < 0) throw ErrnoError(env, static_cast<int>(n), "encoding");
  return Napi::Buffer<uint8_t>::Copy(env, out.data(), static_cast<size_t>(n));
}

// @@SECTION:ENGINE@@ (heartbeat engine glue)

// @@SECTION:IPVS@@ (IPVS glue)

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("coreVersion", Napi::String::New(env, hb_core_version()));
  exports.Set("syslogOpen", Napi::Function::New(env, SyslogOpen, "syslogOpen"));
  exports.Set("syslogWrite", Napi::Function::New(env, SyslogWrite, "syslogWrite"));
  exports.Set("encodeDatagram", Napi::Function::New(env, EncodeDatagram, "encodeDatagram"));
  engine_ctor = new Napi::FunctionReference(Napi::Persistent(Engine::Define(env)));
  exports.Set("createEngine", Napi::Function::New(env, CreateEngine, "createEngine"));
  // @@INIT:ENGINE@@
  // @@INIT:NETRES@@
  // @@INIT:IPVS@@
  return exports;
}

}  // namespace

NODE_API_MODULE(hbd_native, Init)
