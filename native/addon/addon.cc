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
  c->standby_keepalive_ms = static_cast<uint32_t>(OptNumber(o, "standbyKeepaliveMs", 0));
  c->standby_deadtime_ms = static_cast<uint32_t>(OptNumber(o, "standbyDeadtimeMs", 0));
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
    case HB_EV_TAKEOVER: return "takeover";
    case HB_EV_CADENCE: return "cadence";
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
                        InstanceMethod("setStatus", &Engine::SetStatus),
                        InstanceMethod("setStandby", &Engine::SetStandby), InstanceMethod("send", &Engine::Send),
                        InstanceMethod("poll", &Engine::Poll), InstanceMethod("view", &Engine::View),
                        InstanceMethod("counters", &Engine::Counters),
                        InstanceMethod("armTakeover", &Engine::ArmTakeover)});
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

  Napi::Value SetStandby(const Napi::CallbackInfo &info) {
    if (info.Length() < 1 || !info[0].IsBoolean()) throw Napi::TypeError::New(info.Env(), "standby must be a boolean");
    int rc = hb_engine_set_standby(Need(info.Env()), info[0].As<Napi::Boolean>().Value());
    if (rc < 0) throw ErrnoError(info.Env(), rc, "setting the standby cadence");
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
    o.Set("sendIntervalMs", Napi::Number::New(env, v->send_interval_ms));
    o.Set("advertisedDeadtimeMs", Napi::Number::New(env, v->advertised_deadtime_ms));
    o.Set("quietStandby", Napi::Boolean::New(env, v->quiet));
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
      if (!n.is_ping) no.Set("hbd", Napi::Boolean::New(env, n.hbd));
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

  // armTakeover(peer, steps): what the heartbeat thread does itself when it
  // declares `peer` dead (addresses, then announcements).
  Napi::Value ArmTakeover(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    std::string peer = StringArg(info, 0, "peer");
    if (info.Length() < 2 || !info[1].IsArray()) throw Napi::TypeError::New(env, "steps must be an array");
    Napi::Array arr = info[1].As<Napi::Array>();
    std::vector<hb_takeover_step> steps(arr.Length());
    for (uint32_t i = 0; i < arr.Length(); i++) {
      Napi::Object o = arr.Get(i).As<Napi::Object>();
      hb_takeover_step &s = steps[i];
      std::memset(&s, 0, sizeof s);
      std::string kind = OptString(o, "kind", 16, "step");
      if (kind == "address") s.kind = HB_TAKEOVER_ADDRESS;
      else if (kind == "announce") s.kind = HB_TAKEOVER_ANNOUNCE;
      else throw Napi::TypeError::New(env, "step.kind must be address or announce");
      CopyString(s.ifname, sizeof s.ifname, OptString(o, "ifname", sizeof s.ifname, "step"));
      CopyString(s.address, sizeof s.address, OptString(o, "address", sizeof s.address, "step"));
      CopyString(s.broadcast, sizeof s.broadcast, OptString(o, "broadcast", sizeof s.broadcast, "step"));
      CopyString(s.label, sizeof s.label, OptString(o, "label", sizeof s.label, "step"));
      s.prefixlen = static_cast<uint8_t>(OptNumber(o, "prefixLen", 32));
      s.nodad = o.Get("noDad").ToBoolean();
      s.count = static_cast<unsigned>(OptNumber(o, "count", 1));
      s.interval_ms = static_cast<unsigned>(OptNumber(o, "intervalMs", 0));
      std::string mode = OptString(o, "mode", 16, "step");
      s.mode = mode == "request" ? HB_GARP_REQUEST : mode == "reply" ? HB_GARP_REPLY : HB_GARP_BOTH;
    }
    int rc = hb_engine_arm_takeover(Need(env), peer.c_str(), steps.data(), steps.size());
    if (rc < 0) throw ErrnoError(env, rc, "arming the takeover from " + peer);
    return env.Undefined();
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

// ---- virtual IPs: addresses, routes, links (rtnl_ops.c), GARP/NA (garp_sock.c)
// netOpen(netnsPath?) resolves to a NetHandle: one NETLINK_ROUTE socket in
// one network namespace (the process's, or the one at netnsPath).  Its
// methods return Promises; the kernel round trips run on the libuv pool, one
// call at a time per handle, in the order they were made (an add, then a
// list, sees the add).  announce() is separate: each runs its paced rounds on
// a pool thread of its own with its own AF_PACKET socket in the handle's
// namespace, so a 5 s announcement never holds up an address change, and
// cancel() ends it within 50 ms.  Failures reject with ErrnoError: code =
// errno name, message = what rtnl_ops.c / garp_sock.c said it was doing +
// strerror, plus kernelMessage when the kernel explained itself.

constexpr uint8_t kNetAfInet = 2, kNetAfInet6 = 10; // Linux's, as in the IPVS glue

class NetCall;

// Like IpvsState: `pending`/`busy` on the JS thread only, `mu` guards `r`
// against close().
struct NetState {
  std::mutex mu;
  hb_rtnl *r = nullptr;
  std::string netns;
  bool busy = false;
  std::vector<NetCall *> pending;
  ~NetState() { hb_rtnl_close(r); }
};

Napi::Error NetError(Napi::Env env, int rc, const std::string &what, const std::string &kernel) {
  Napi::Error e = ErrnoError(env, rc, what);
  if (!kernel.empty()) e.Set("kernelMessage", Napi::String::New(env, kernel));
  return e;
}

Napi::Object NetObject(const Napi::CallbackInfo &info, size_t i, const char *what) {
  if (info.Length() <= i || !info[i].IsObject())
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be an object");
  return info[i].As<Napi::Object>();
}

// A string property, "" when absent and optional; at most max bytes.
std::string NetStr(const Napi::Object &o, const char *key, const char *what, bool required, size_t max) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) {
    if (required) throw Napi::TypeError::New(o.Env(), std::string(what) + "." + key + " is required");
    return "";
  }
  if (!v.IsString()) throw Napi::TypeError::New(o.Env(), std::string(what) + "." + key + " must be a string");
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s.size() > max || s.find('\0') != std::string::npos)
    throw Napi::RangeError::New(o.Env(), std::string(what) + "." + key + " must be at most " +
                                             std::to_string(max) + " bytes");
  return s;
}

int64_t NetInt(const Napi::Object &o, const char *key, int64_t lo, int64_t hi, const char *what, bool has_dflt = false,
               int64_t dflt = 0) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) {
    if (has_dflt) return dflt;
    throw Napi::TypeError::New(o.Env(), std::string(what) + "." + key + " is required");
  }
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string(what) + "." + key + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (d != static_cast<double>(static_cast<int64_t>(d)) || d < static_cast<double>(lo) || d > static_cast<double>(hi))
    throw Napi::RangeError::New(o.Env(), std::string(what) + "." + key + " must be an integer from " +
                                             std::to_string(lo) + " to " + std::to_string(hi));
  return static_cast<int64_t>(d);
}

bool NetBool(const Napi::Object &o, const char *key) {
  Napi::Value v = o.Get(key);
  return !v.IsUndefined() && !v.IsNull() && v.ToBoolean().Value();
}

void NetAddr(Napi::Env env, const std::string &text, const char *what, uint8_t *family, uint8_t addr[16]) {
  if (hb_rtnl_addr_parse(text.c_str(), family, addr) != 0)
    throw ErrnoError(env, -EINVAL, std::string("parsing ") + what + " '" + text + "' as an IP address");
}

std::string NetAddrText(uint8_t family, const uint8_t addr[16]) {
  char text[HB_RTNL_ADDR_TEXT];
  return hb_rtnl_addr_text(family, addr, text, sizeof text);
}

const char *NetFamilyName(uint8_t family) { return family == kNetAfInet6 ? "inet6" : "inet"; }

// An address by value, for the lambdas that carry it to the pool.
struct NetIp {
  uint8_t family;
  uint8_t b[16];
};

NetIp NetIpArg(const Napi::CallbackInfo &info, size_t i, const char *what) {
  NetIp ip;
  NetAddr(info.Env(), StringArg(info, i, what), what, &ip.family, ip.b);
  return ip;
}

// {ifname, address, prefixLen, broadcast?, label?, noDad?, noPrefixRoute?}
struct NetAddrSpec {
  std::string ifname;
  hb_rtnl_addr a;
};

NetAddrSpec NetAddrSpecFromJs(const Napi::Object &o) {
  const char *what = "address";
  NetAddrSpec s;
  std::memset(&s.a, 0, sizeof s.a);
  s.ifname = NetStr(o, "ifname", what, true, HB_RTNL_IFNAME_MAX - 1);
  NetAddr(o.Env(), NetStr(o, "address", what, true, HB_RTNL_ADDR_TEXT), "address.address", &s.a.family, s.a.addr);
  s.a.prefixlen = static_cast<uint8_t>(NetInt(o, "prefixLen", 0, s.a.family == kNetAfInet ? 32 : 128, what));
  std::string brd = NetStr(o, "broadcast", what, false, HB_RTNL_ADDR_TEXT);
  if (!brd.empty()) {
    uint8_t f, b[16];
    NetAddr(o.Env(), brd, "address.broadcast", &f, b);
    if (f != kNetAfInet || s.a.family != kNetAfInet)
      throw Napi::RangeError::New(o.Env(), "address.broadcast: IPv4 addresses only");
    s.a.has_broadcast = true;
    std::memcpy(s.a.broadcast, b, 4);
  }
  std::string label = NetStr(o, "label", what, false, HB_RTNL_IFNAME_MAX - 1);
  if (!label.empty() && s.a.family != kNetAfInet)
    throw Napi::RangeError::New(o.Env(), "address.label: IPv4 addresses only");
  std::memcpy(s.a.label, label.c_str(), label.size() + 1);
  if (NetBool(o, "noDad")) s.a.flags |= HB_IFA_F_NODAD;
  if (NetBool(o, "noPrefixRoute")) s.a.flags |= HB_IFA_F_NOPREFIXROUTE;
  return s;
}

// One call: run() on the pool under the handle's mutex, done() on the JS
// thread to build the result (null for ENETUNREACH when nullOnUnreach).
class NetCall : public Napi::AsyncWorker {
 public:
  using Run = std::function<int(hb_rtnl *)>;
  using Done = std::function<Napi::Value(Napi::Env)>;

  NetCall(Napi::Env env, std::shared_ptr<NetState> st, Run run, Done done, bool null_on_unreach)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), st_(std::move(st)),
        run_(std::move(run)), done_(std::move(done)), null_on_unreach_(null_on_unreach) {}

  static Napi::Promise Start(Napi::Env env, std::shared_ptr<NetState> st, Run run, Done done = nullptr,
                             bool null_on_unreach = false) {
    auto *w = new NetCall(env, st, std::move(run), std::move(done), null_on_unreach);
    Napi::Promise p = w->deferred_.Promise();
    if (st->busy) {
      st->pending.push_back(w);
    } else {
      st->busy = true;
      w->Queue();
    }
    return p;
  }

  void Execute() override {
    std::lock_guard<std::mutex> lock(st_->mu);
    if (st_->r == nullptr) {
      rc_ = -EBADF;
      what_ = "using a closed network handle";
      return;
    }
    rc_ = run_(st_->r);
    if (rc_ < 0) {
      what_ = hb_rtnl_last_error(st_->r);
      kernel_ = hb_rtnl_kernel_message(st_->r);
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (rc_ == -ENETUNREACH && null_on_unreach_)
      deferred_.Resolve(env.Null());
    else if (rc_ < 0)
      deferred_.Reject(NetError(env, rc_, what_, kernel_).Value());
    else
      deferred_.Resolve(done_ ? done_(env) : env.Undefined());
    if (st_->pending.empty()) {
      st_->busy = false;
    } else {
      NetCall *next = st_->pending.front();
      st_->pending.erase(st_->pending.begin());
      next->Queue();
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<NetState> st_;
  Run run_;
  Done done_;
  bool null_on_unreach_;
  int rc_ = 0;
  std::string what_, kernel_;
};

std::string NetMacText(const uint8_t *hw, size_t len) {
  std::string s;
  char b[4];
  for (size_t i = 0; i < len; i++) {
    std::snprintf(b, sizeof b, i ? ":%02x" : "%02x", hw[i]);
    s += b;
  }
  return s;
}

Napi::Object NetLinkToJs(Napi::Env env, const hb_rtnl_link &l) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("ifname", l.name);
  o.Set("ifindex", l.ifindex);
  o.Set("mac", NetMacText(l.hwaddr, l.hwaddr_len));
  o.Set("up", (l.flags & HB_IFF_UP) != 0);
  o.Set("carrier", (l.flags & HB_IFF_LOWER_UP) != 0);
  o.Set("mtu", l.mtu);
  o.Set("type", l.type);
  o.Set("flags", l.flags);
  o.Set("operstate", l.operstate);
  return o;
}

// An address listed, with its interface's name (found by index in `links`).
struct NetListed {
  std::vector<hb_rtnl_link> links;
  std::vector<hb_rtnl_addr> addrs;
  std::string ifname; // filter, "" = all
  uint8_t family = 0;
};

std::string NetIfname(const NetListed &l, uint32_t ifindex) {
  for (const auto &k : l.links)
    if (k.ifindex == ifindex) return k.name;
  return "#" + std::to_string(ifindex); // gone between the two dumps
}

Napi::Object NetAddrToJs(Napi::Env env, const hb_rtnl_addr &a, const std::string &ifname) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("ifname", ifname);
  o.Set("ifindex", a.ifindex);
  o.Set("family", NetFamilyName(a.family));
  o.Set("address", NetAddrText(a.family, a.addr));
  o.Set("prefixLen", a.prefixlen);
  if (a.has_broadcast) o.Set("broadcast", NetAddrText(kNetAfInet, a.broadcast));
  if (a.label[0]) o.Set("label", a.label);
  o.Set("scope", a.scope);
  o.Set("flags", a.flags);
  o.Set("secondary", (a.flags & HB_IFA_F_SECONDARY) != 0);
  o.Set("tentative", (a.flags & HB_IFA_F_TENTATIVE) != 0);
  o.Set("dadFailed", (a.flags & HB_IFA_F_DADFAILED) != 0);
  o.Set("noDad", (a.flags & HB_IFA_F_NODAD) != 0);
  return o;
}

// One announcement: rounds on a pool thread of its own.  `cancel` is read
// by hb_garp_announce() between rounds; the JS cancel() sets it.
struct NetAnnounceState {
  int cancel = 0;
};

class NetAnnounceWorker : public Napi::AsyncWorker {
 public:
  NetAnnounceWorker(Napi::Env env, std::string netns, std::string ifname, hb_garp_spec spec, hb_garp_mode mode,
                    unsigned count, unsigned interval_ms, std::shared_ptr<NetAnnounceState> st)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), netns_(std::move(netns)),
        ifname_(std::move(ifname)), spec_(spec), mode_(mode), count_(count), interval_ms_(interval_ms),
        st_(std::move(st)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    hb_garp g;
    spec_.ifname = ifname_.c_str();
    rc_ = hb_garp_open(&g, &spec_, netns_.empty() ? nullptr : netns_.c_str());
    if (rc_ == 0) rc_ = hb_garp_announce(&g, mode_, count_, interval_ms_, &st_->cancel, &rounds_);
    if (rc_ < 0) what_ = hb_garp_last_error(&g);
    hb_garp_close(&g);
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (rc_ < 0 && rc_ != -ECANCELED) {
      Napi::Error e = ErrnoError(env, rc_, what_);
      e.Set("rounds", Napi::Number::New(env, rounds_));
      deferred_.Reject(e.Value());
      return;
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("rounds", rounds_);
    o.Set("cancelled", rc_ == -ECANCELED);
    deferred_.Resolve(o);
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::string netns_, ifname_;
  hb_garp_spec spec_;
  hb_garp_mode mode_;
  unsigned count_, interval_ms_;
  std::shared_ptr<NetAnnounceState> st_;
  int rc_ = 0;
  unsigned rounds_ = 0;
  std::string what_;
};

class NetHandle : public Napi::ObjectWrap<NetHandle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NetHandle",
                       {
                           InstanceMethod<&NetHandle::AddressAdd>("addressAdd"),
                           InstanceMethod<&NetHandle::AddressDelete>("addressDelete"),
                           InstanceMethod<&NetHandle::AddressList>("addressList"),
                           InstanceMethod<&NetHandle::FindInterface>("findInterface"),
                           InstanceMethod<&NetHandle::RouteLookup>("routeLookup"),
                           InstanceMethod<&NetHandle::LinkInfo>("linkInfo"),
                           InstanceMethod<&NetHandle::Announce>("announce"),
                           InstanceMethod<&NetHandle::Close>("close"),
                       });
  }

  explicit NetHandle(const Napi::CallbackInfo &info) : Napi::ObjectWrap<NetHandle>(info) {}

  void Adopt(std::shared_ptr<NetState> st) { st_ = std::move(st); }

 private:
  std::shared_ptr<NetState> State(Napi::Env env) {
    if (!st_) throw Napi::Error::New(env, "NetHandle: not opened by netOpen()");
    return st_;
  }

  Napi::Value AddressAdd(const Napi::CallbackInfo &info) {
    NetAddrSpec s = NetAddrSpecFromJs(NetObject(info, 0, "address"));
    return NetCall::Start(info.Env(), State(info.Env()),
                          [s](hb_rtnl *r) { return hb_rtnl_addr_add(r, s.ifname.c_str(), &s.a); });
  }

  Napi::Value AddressDelete(const Napi::CallbackInfo &info) {
    NetAddrSpec s = NetAddrSpecFromJs(NetObject(info, 0, "address"));
    return NetCall::Start(info.Env(), State(info.Env()),
                          [s](hb_rtnl *r) { return hb_rtnl_addr_del(r, s.ifname.c_str(), &s.a); });
  }

  static int PushLink(void *ctx, const hb_rtnl_link *l) {
    static_cast<NetListed *>(ctx)->links.push_back(*l);
    return 0;
  }

  static int PushAddr(void *ctx, const hb_rtnl_addr *a) {
    static_cast<NetListed *>(ctx)->addrs.push_back(*a);
    return 0;
  }

  // addressList({ifname?, family?}): the links first (for the names), then the addresses.
  Napi::Value AddressList(const Napi::CallbackInfo &info) {
    auto out = std::make_shared<NetListed>();
    if (info.Length() > 0 && !info[0].IsUndefined() && !info[0].IsNull()) {
      Napi::Object o = NetObject(info, 0, "filter");
      out->ifname = NetStr(o, "ifname", "filter", false, HB_RTNL_IFNAME_MAX - 1);
      std::string fam = NetStr(o, "family", "filter", false, 8);
      if (fam == "inet") out->family = kNetAfInet;
      else if (fam == "inet6") out->family = kNetAfInet6;
      else if (!fam.empty()) throw Napi::RangeError::New(info.Env(), "filter.family must be 'inet' or 'inet6'");
    }
    return NetCall::Start(
        info.Env(), State(info.Env()),
        [out](hb_rtnl *r) {
          int rc = hb_rtnl_link_list(r, PushLink, out.get());
          if (rc < 0) return rc;
          uint32_t ifindex = 0;
          if (!out->ifname.empty()) {
            hb_rtnl_link l;
            rc = hb_rtnl_link_get(r, out->ifname.c_str(), &l);
            if (rc < 0) return rc;
            ifindex = l.ifindex;
          }
          return hb_rtnl_addr_list(r, out->family, ifindex, PushAddr, out.get());
        },
        [out](Napi::Env env) -> Napi::Value {
          Napi::Array a = Napi::Array::New(env, out->addrs.size());
          for (size_t i = 0; i < out->addrs.size(); i++)
            a.Set(i, NetAddrToJs(env, out->addrs[i], NetIfname(*out, out->addrs[i].ifindex)));
          return a;
        });
  }

  // findInterface(address, ifname?): findif; null when no connected route covers it.
  Napi::Value FindInterface(const Napi::CallbackInfo &info) {
    NetIp ip = NetIpArg(info, 0, "address");
    std::string ifname;
    if (info.Length() > 1 && !info[1].IsUndefined() && !info[1].IsNull()) ifname = StringArg(info, 1, "ifname");
    auto out = std::make_shared<hb_findif>();
    uint8_t family = ip.family;
    return NetCall::Start(
        info.Env(), State(info.Env()),
        [ip, ifname, out](hb_rtnl *r) {
          return hb_rtnl_findif(r, ip.family, ip.b, ifname.empty() ? nullptr : ifname.c_str(), out.get());
        },
        [out, family](Napi::Env env) -> Napi::Value {
          Napi::Object o = Napi::Object::New(env);
          o.Set("ifname", out->ifname);
          o.Set("ifindex", out->ifindex);
          o.Set("prefixLen", out->prefixlen);
          o.Set("metric", out->metric);
          if (family == kNetAfInet && out->has_broadcast) o.Set("broadcast", NetAddrText(kNetAfInet, out->broadcast));
          o.Set("differs", out->differs);
          return o;
        },
        true);
  }

  // routeLookup(address): the kernel's own choice (`ip route get fibmatch`); null when unreachable.
  Napi::Value RouteLookup(const Napi::CallbackInfo &info) {
    NetIp ip = NetIpArg(info, 0, "address");
    auto out = std::make_shared<hb_rtnl_route>();
    auto link = std::make_shared<hb_rtnl_link>();
    return NetCall::Start(
        info.Env(), State(info.Env()),
        [ip, out, link](hb_rtnl *r) {
          int rc = hb_rtnl_route_get(r, ip.family, ip.b, out.get());
          if (rc == 0 && out->oif != 0 && hb_rtnl_link_by_index(r, out->oif, link.get()) != 0)
            link->name[0] = '\0'; // the name is a nicety
          return rc;
        },
        [out, link](Napi::Env env) -> Napi::Value {
          Napi::Object o = Napi::Object::New(env);
          o.Set("family", NetFamilyName(out->family));
          o.Set("dst", NetAddrText(out->family, out->dst));
          o.Set("dstLen", out->dst_len);
          o.Set("oif", out->oif);
          if (out->oif != 0 && link->name[0]) o.Set("ifname", link->name);
          if (out->has_gateway && !out->multipath) o.Set("gateway", NetAddrText(out->family, out->gateway));
          if (out->has_prefsrc) o.Set("prefsrc", NetAddrText(out->family, out->prefsrc));
          o.Set("multipath", out->multipath);
          o.Set("table", out->table);
          o.Set("protocol", out->protocol);
          o.Set("scope", out->scope);
          o.Set("type", out->type);
          o.Set("metric", out->priority);
          return o;
        },
        true);
  }

  Napi::Value LinkInfo(const Napi::CallbackInfo &info) {
    std::string ifname = StringArg(info, 0, "ifname");
    auto out = std::make_shared<hb_rtnl_link>();
    return NetCall::Start(
        info.Env(), State(info.Env()), [ifname, out](hb_rtnl *r) { return hb_rtnl_link_get(r, ifname.c_str(), out.get()); },
        [out](Napi::Env env) -> Napi::Value { return NetLinkToJs(env, *out); });
  }

  // announce({ifname, address, count, intervalMs, mode?, router?}) -> {done, cancel}
  Napi::Value Announce(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    std::shared_ptr<NetState> st = State(env);
    Napi::Object o = NetObject(info, 0, "announcement");
    const char *what = "announcement";
    std::string ifname = NetStr(o, "ifname", what, true, HB_RTNL_IFNAME_MAX - 1);
    hb_garp_spec spec;
    std::memset(&spec, 0, sizeof spec);
    NetAddr(env, NetStr(o, "address", what, true, HB_RTNL_ADDR_TEXT), "announcement.address", &spec.family, spec.addr);
    spec.na_router = NetBool(o, "router");
    unsigned count = static_cast<unsigned>(NetInt(o, "count", 0, 1000000, what));
    unsigned interval = static_cast<unsigned>(NetInt(o, "intervalMs", 0, 3600000, what));
    std::string m = NetStr(o, "mode", what, false, 8);
    hb_garp_mode mode = HB_GARP_BOTH;
    if (m == "request") mode = HB_GARP_REQUEST;
    else if (m == "reply") mode = HB_GARP_REPLY;
    else if (!m.empty() && m != "both") throw Napi::RangeError::New(env, "announcement.mode must be 'request', 'reply' or 'both'");
    auto ast = std::make_shared<NetAnnounceState>();
    auto *w = new NetAnnounceWorker(env, st->netns, ifname, spec, mode, count, interval, ast);
    Napi::Object result = Napi::Object::New(env);
    result.Set("done", w->Promise());
    result.Set("cancel", Napi::Function::New(
                             env,
                             [ast](const Napi::CallbackInfo &ci) -> Napi::Value {
                               __atomic_store_n(&ast->cancel, 1, __ATOMIC_RELEASE);
                               return ci.Env().Undefined();
                             },
                             "cancel"));
    w->Queue();
    return result;
  }

  // Closes the socket now (waiting for a call in progress); later calls
  // reject with EBADF.  Announcements under way run to their end.
  Napi::Value Close(const Napi::CallbackInfo &info) {
    if (st_) {
      std::lock_guard<std::mutex> lock(st_->mu);
      hb_rtnl_close(st_->r);
      st_->r = nullptr;
    }
    return info.Env().Undefined();
  }

  std::shared_ptr<NetState> st_;
};

Napi::FunctionReference *net_ctor = nullptr;

class NetOpenWorker : public Napi::AsyncWorker {
 public:
  NetOpenWorker(Napi::Env env, std::string netns)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), st_(std::make_shared<NetState>()) {
    st_->netns = std::move(netns);
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override { rc_ = hb_rtnl_open(&st_->r, st_->netns.empty() ? nullptr : st_->netns.c_str()); }

  void OnOK() override {
    Napi::Env env = Env();
    if (rc_ < 0) {
      std::string what = "opening a rtnetlink socket";
      if (!st_->netns.empty()) what += " in " + st_->netns;
      deferred_.Reject(ErrnoError(env, rc_, what).Value());
      return;
    }
    Napi::Object obj = net_ctor->New({});
    NetHandle::Unwrap(obj)->Adopt(st_);
    deferred_.Resolve(obj);
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<NetState> st_;
  int rc_ = 0;
};

Napi::Value NetOpen(const Napi::CallbackInfo &info) {
  std::string netns;
  if (info.Length() > 0 && !info[0].IsUndefined() && !info[0].IsNull()) netns = StringArg(info, 0, "netnsPath");
  auto *w = new NetOpenWorker(info.Env(), netns);
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

// @@SECTION:NETRES@@ (addresses, routes, GARP glue)

// ---- IPVS (ipvs_ops.c) ------------------------------------------------------
// ipvsOpen(netnsPath?) resolves to an IpvsHandle: one generic netlink socket
// in one network namespace (the process's, or the one at netnsPath).  Every
// method returns a Promise; the kernel round trip (and the family lookup at
// open) runs on the libuv pool, one call at a time per handle, in order.  JS objects
// are converted to the plain structs of hbcore.h here, synchronously, so a
// malformed argument throws (TypeError / RangeError, or EINVAL for an
// address that does not parse) before anything is queued.

// Linux's address family numbers (the ABI of struct sockaddr; no socket
// headers in this file).
constexpr uint16_t kIpvsAfInet = 2, kIpvsAfInet6 = 10;

class IpvsCall;

// Calls on one handle run one after the other, in the order they were made
// (an add of a destination right after the add of its service must not
// overtake it): only the head of `pending` is queued to the libuv pool; the
// rest wait here without holding a pool thread.  `pending` and `busy` are
// touched on the JS thread only; `mu` guards `h` against close().
struct IpvsState {
  std::mutex mu;
  hb_ipvs h;
  bool open = false;
  bool busy = false;
  std::vector<IpvsCall *> pending; // FIFO, short
  ~IpvsState() {
    if (open) hb_ipvs_close(&h);
  }
};

bool IpvsHas(const Napi::Object &o, const char *key) {
  Napi::Value v = o.Get(key);
  return !v.IsUndefined() && !v.IsNull();
}

// An integer property in [lo, hi]; dflt when absent (required when has_dflt is false).
int64_t IpvsInt(const Napi::Object &o, const char *key, int64_t lo, int64_t hi, const char *what,
                bool has_dflt = false, int64_t dflt = 0) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) {
    if (has_dflt) return dflt;
    throw Napi::TypeError::New(o.Env(), std::string(what) + "." + key + " is required");
  }
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string(what) + "." + key + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (d != static_cast<double>(static_cast<int64_t>(d)) || d < static_cast<double>(lo) || d > static_cast<double>(hi))
    throw Napi::RangeError::New(o.Env(), std::string(what) + "." + key + " must be an integer from " +
                                             std::to_string(lo) + " to " + std::to_string(hi));
  return static_cast<int64_t>(d);
}

// A string property copied into dst[cap] (with its NUL); "" when absent and optional.
void IpvsStr(const Napi::Object &o, const char *key, char *dst, size_t cap, const char *what, bool required) {
  Napi::Value v = o.Get(key);
  dst[0] = '\0';
  if (v.IsUndefined() || v.IsNull()) {
    if (required) throw Napi::TypeError::New(o.Env(), std::string(what) + "." + key + " is required");
    return;
  }
  if (!v.IsString()) throw Napi::TypeError::New(o.Env(), std::string(what) + "." + key + " must be a string");
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s.size() >= cap || s.find('\0') != std::string::npos)
    throw Napi::RangeError::New(o.Env(), std::string(what) + "." + key + " must be shorter than " +
                                             std::to_string(cap) + " bytes");
  std::memcpy(dst, s.c_str(), s.size() + 1);
}

void IpvsAddr(const Napi::Object &o, const char *key, uint16_t af, uint8_t out[16], const char *what) {
  char text[HB_IPVS_ADDR_TEXT];
  IpvsStr(o, key, text, sizeof text, what, true);
  if (hb_ipvs_addr_parse(af, text, out) != 0)
    throw ErrnoError(o.Env(), -EINVAL, std::string("parsing ") + what + "." + key + " '" + text + "' as an " +
                                           (af == kIpvsAfInet6 ? "IPv6" : "IPv4") + " address");
}

Napi::Object IpvsObject(const Napi::CallbackInfo &info, size_t i, const char *what) {
  if (info.Length() <= i || !info[i].IsObject())
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be an object");
  return info[i].As<Napi::Object>();
}

uint16_t IpvsAf(const Napi::Object &o, const char *what, bool optional = false) {
  int64_t af = IpvsInt(o, "af", 0, 65535, what, optional, 0);
  if (af == 0 && optional) return 0;
  if (af != kIpvsAfInet && af != kIpvsAfInet6)
    throw Napi::RangeError::New(o.Env(), std::string(what) + ".af must be AF_INET (2) or AF_INET6 (10)");
  return static_cast<uint16_t>(af);
}

// {af, fwmark} or {af, protocol, addr, port}; with full, the settings too.
hb_ipvs_service IpvsServiceFromJs(const Napi::Object &o, bool full) {
  hb_ipvs_service s;
  std::memset(&s, 0, sizeof s);
  const char *what = "service";
  s.af = IpvsAf(o, what);
  s.fwmark = static_cast<uint32_t>(IpvsInt(o, "fwmark", 0, UINT32_MAX, what, true, 0));
  if (s.fwmark == 0) {
    s.protocol = static_cast<uint16_t>(IpvsInt(o, "protocol", 0, 255, what));
    IpvsAddr(o, "addr", s.af, s.addr, what);
    s.port = static_cast<uint16_t>(IpvsInt(o, "port", 0, 65535, what));
  }
  s.netmask = s.af == kIpvsAfInet6 ? 128 : 0xffffffffu;
  if (full) {
    IpvsStr(o, "schedName", s.sched_name, sizeof s.sched_name, what, true);
    IpvsStr(o, "peName", s.pe_name, sizeof s.pe_name, what, false);
    s.flags = static_cast<uint32_t>(IpvsInt(o, "flags", 0, UINT32_MAX, what, true, 0));
    s.timeout = static_cast<uint32_t>(IpvsInt(o, "timeout", 0, UINT32_MAX, what, true, 0));
    s.netmask = static_cast<uint32_t>(IpvsInt(o, "netmask", 0, UINT32_MAX, what, true, s.netmask));
  }
  return s;
}

hb_ipvs_dest IpvsDestFromJs(const Napi::Object &o, uint16_t svc_af) {
  hb_ipvs_dest d;
  std::memset(&d, 0, sizeof d);
  const char *what = "dest";
  d.af = IpvsAf(o, what, true);
  IpvsAddr(o, "addr", d.af ? d.af : svc_af, d.addr, what);
  d.port = static_cast<uint16_t>(IpvsInt(o, "port", 0, 65535, what));
  d.fwd_method = static_cast<uint32_t>(IpvsInt(o, "fwdMethod", 0, 7, what, true, 0));
  d.weight = static_cast<int32_t>(IpvsInt(o, "weight", INT32_MIN, INT32_MAX, what, true, 1));
  d.u_threshold = static_cast<uint32_t>(IpvsInt(o, "uThreshold", 0, UINT32_MAX, what, true, 0));
  d.l_threshold = static_cast<uint32_t>(IpvsInt(o, "lThreshold", 0, UINT32_MAX, what, true, 0));
  d.tun_type = static_cast<uint8_t>(IpvsInt(o, "tunType", 0, 255, what, true, 0));
  d.tun_port = static_cast<uint16_t>(IpvsInt(o, "tunPort", 0, 65535, what, true, 0));
  d.tun_flags = static_cast<uint16_t>(IpvsInt(o, "tunFlags", 0, 65535, what, true, 0));
  return d;
}

hb_ipvs_daemon IpvsDaemonFromJs(const Napi::Object &o) {
  hb_ipvs_daemon d;
  std::memset(&d, 0, sizeof d);
  const char *what = "daemon";
  d.state = static_cast<uint32_t>(IpvsInt(o, "state", 0, UINT32_MAX, what));
  IpvsStr(o, "mcastIfn", d.mcast_ifn, sizeof d.mcast_ifn, what, true);
  d.syncid = static_cast<uint32_t>(IpvsInt(o, "syncId", 0, UINT32_MAX, what, true, 0));
  d.sync_maxlen = static_cast<uint16_t>(IpvsInt(o, "syncMaxLen", 0, 65535, what, true, 0));
  d.mcast_port = static_cast<uint16_t>(IpvsInt(o, "mcastPort", 0, 65535, what, true, 0));
  d.mcast_ttl = static_cast<uint8_t>(IpvsInt(o, "mcastTtl", 0, 255, what, true, 0));
  if (IpvsHas(o, "mcastGroup")) {
    char text[HB_IPVS_ADDR_TEXT];
    IpvsStr(o, "mcastGroup", text, sizeof text, what, true);
    if (text[0]) {
      d.mcast_af = std::strchr(text, ':') ? kIpvsAfInet6 : kIpvsAfInet;
      IpvsAddr(o, "mcastGroup", d.mcast_af, d.mcast_group, what);
    }
  }
  return d;
}

std::string IpvsAddrText(uint16_t af, const uint8_t addr[16]) {
  char text[HB_IPVS_ADDR_TEXT];
  return hb_ipvs_addr_text(af, addr, text, sizeof text);
}

Napi::Object IpvsStatsToJs(Napi::Env env, const hb_ipvs_stats &st) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("conns", Napi::BigInt::New(env, st.conns));
  o.Set("inPkts", Napi::BigInt::New(env, st.inpkts));
  o.Set("outPkts", Napi::BigInt::New(env, st.outpkts));
  o.Set("inBytes", Napi::BigInt::New(env, st.inbytes));
  o.Set("outBytes", Napi::BigInt::New(env, st.outbytes));
  o.Set("cps", Napi::BigInt::New(env, st.cps));
  o.Set("inPps", Napi::BigInt::New(env, st.inpps));
  o.Set("outPps", Napi::BigInt::New(env, st.outpps));
  o.Set("inBps", Napi::BigInt::New(env, st.inbps));
  o.Set("outBps", Napi::BigInt::New(env, st.outbps));
  return o;
}

Napi::Object IpvsServiceToJs(Napi::Env env, const hb_ipvs_service &s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("af", s.af);
  o.Set("fwmark", s.fwmark);
  if (s.fwmark == 0) {
    o.Set("protocol", s.protocol);
    o.Set("addr", IpvsAddrText(s.af, s.addr));
    o.Set("port", s.port);
  }
  o.Set("schedName", s.sched_name);
  o.Set("peName", s.pe_name);
  o.Set("flags", s.flags);
  o.Set("timeout", s.timeout);
  o.Set("netmask", s.netmask);
  if (s.has_stats) o.Set("stats", IpvsStatsToJs(env, s.stats));
  return o;
}

Napi::Object IpvsDestToJs(Napi::Env env, const hb_ipvs_dest &d, uint16_t svc_af) {
  Napi::Object o = Napi::Object::New(env);
  uint16_t af = d.af ? d.af : svc_af;
  o.Set("af", af);
  o.Set("addr", IpvsAddrText(af, d.addr));
  o.Set("port", d.port);
  o.Set("fwdMethod", d.fwd_method);
  o.Set("weight", d.weight);
  o.Set("uThreshold", d.u_threshold);
  o.Set("lThreshold", d.l_threshold);
  o.Set("tunType", d.tun_type);
  o.Set("tunPort", d.tun_port);
  o.Set("tunFlags", d.tun_flags);
  o.Set("activeConns", d.active_conns);
  o.Set("inactConns", d.inact_conns);
  o.Set("persistConns", d.persist_conns);
  if (d.has_stats) o.Set("stats", IpvsStatsToJs(env, d.stats));
  return o;
}

Napi::Object IpvsDaemonToJs(Napi::Env env, const hb_ipvs_daemon &d) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("state", d.state);
  o.Set("mcastIfn", d.mcast_ifn);
  o.Set("syncId", d.syncid);
  o.Set("syncMaxLen", d.sync_maxlen);
  o.Set("mcastGroup", d.mcast_af ? IpvsAddrText(d.mcast_af, d.mcast_group) : std::string());
  o.Set("mcastPort", d.mcast_port);
  o.Set("mcastTtl", d.mcast_ttl);
  return o;
}

// One call: run() on the pool under the handle's mutex, done() on the JS
// thread to build the result.  A failure rejects with ErrnoError: code =
// errno name, message = what ipvs_ops.c said it was doing + strerror.
class IpvsCall : public Napi::AsyncWorker {
 public:
  using Run = std::function<int(hb_ipvs *)>;
  using Done = std::function<Napi::Value(Napi::Env)>;

  IpvsCall(Napi::Env env, std::shared_ptr<IpvsState> st, Run run, Done done)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), st_(std::move(st)),
        run_(std::move(run)), done_(std::move(done)) {}

  static Napi::Promise Start(Napi::Env env, std::shared_ptr<IpvsState> st, Run run, Done done = nullptr) {
    auto *w = new IpvsCall(env, st, std::move(run), std::move(done));
    Napi::Promise p = w->deferred_.Promise();
    if (st->busy) {
      st->pending.push_back(w);
    } else {
      st->busy = true;
      w->Queue();
    }
    return p;
  }

  void Execute() override {
    std::lock_guard<std::mutex> lock(st_->mu);
    if (!st_->open) {
      rc_ = -EBADF;
      what_ = "using a closed IPVS handle";
      return;
    }
    rc_ = run_(&st_->h);
    if (rc_ < 0) what_ = hb_ipvs_last_error(&st_->h);
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (rc_ < 0)
      deferred_.Reject(ErrnoError(env, rc_, what_).Value());
    else
      deferred_.Resolve(done_ ? done_(env) : env.Undefined());
    // the next call of this handle, if any
    if (st_->pending.empty()) {
      st_->busy = false;
    } else {
      IpvsCall *next = st_->pending.front();
      st_->pending.erase(st_->pending.begin());
      next->Queue();
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<IpvsState> st_;
  Run run_;
  Done done_;
  int rc_ = 0;
  std::string what_;
};

class IpvsHandle : public Napi::ObjectWrap<IpvsHandle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "IpvsHandle",
                       {
                           InstanceMethod<&IpvsHandle::Info>("info"),
                           InstanceMethod<&IpvsHandle::ListServices>("listServices"),
                           InstanceMethod<&IpvsHandle::GetService>("getService"),
                           InstanceMethod<&IpvsHandle::ListDests>("listDests"),
                           InstanceMethod<&IpvsHandle::AddService>("addService"),
                           InstanceMethod<&IpvsHandle::EditService>("editService"),
                           InstanceMethod<&IpvsHandle::DeleteService>("deleteService"),
                           InstanceMethod<&IpvsHandle::AddDest>("addDest"),
                           InstanceMethod<&IpvsHandle::EditDest>("editDest"),
                           InstanceMethod<&IpvsHandle::DeleteDest>("deleteDest"),
                           InstanceMethod<&IpvsHandle::Flush>("flush"),
                           InstanceMethod<&IpvsHandle::Zero>("zero"),
                           InstanceMethod<&IpvsHandle::GetTimeouts>("getTimeouts"),
                           InstanceMethod<&IpvsHandle::SetTimeouts>("setTimeouts"),
                           InstanceMethod<&IpvsHandle::ListDaemons>("listDaemons"),
                           InstanceMethod<&IpvsHandle::StartDaemon>("startDaemon"),
                           InstanceMethod<&IpvsHandle::StopDaemon>("stopDaemon"),
                           InstanceMethod<&IpvsHandle::Close>("close"),
                           InstanceAccessor<&IpvsHandle::FamilyId>("familyId"),
                       });
  }

  explicit IpvsHandle(const Napi::CallbackInfo &info) : Napi::ObjectWrap<IpvsHandle>(info) {}

  void Adopt(std::shared_ptr<IpvsState> st) { st_ = std::move(st); }

 private:
  std::shared_ptr<IpvsState> State(Napi::Env env) {
    if (!st_) throw Napi::Error::New(env, "IpvsHandle: not opened by ipvsOpen()");
    return st_;
  }

  Napi::Value Info(const Napi::CallbackInfo &info) {
    auto out = std::make_shared<hb_ipvs_info>();
    return IpvsCall::Start(
        info.Env(), State(info.Env()), [out](hb_ipvs *h) { return hb_ipvs_get_info(h, out.get()); },
        [out](Napi::Env env) -> Napi::Value {
          Napi::Object o = Napi::Object::New(env);
          o.Set("version", out->version);
          o.Set("connTabSize", out->conn_tab_size);
          return o;
        });
  }

  static int PushService(void *ctx, const hb_ipvs_service *s) {
    static_cast<std::vector<hb_ipvs_service> *>(ctx)->push_back(*s);
    return 0;
  }

  Napi::Value ListServices(const Napi::CallbackInfo &info) {
    auto out = std::make_shared<std::vector<hb_ipvs_service>>();
    return IpvsCall::Start(
        info.Env(), State(info.Env()), [out](hb_ipvs *h) { return hb_ipvs_list_services(h, PushService, out.get()); },
        [out](Napi::Env env) -> Napi::Value {
          Napi::Array a = Napi::Array::New(env, out->size());
          for (size_t i = 0; i < out->size(); i++) a.Set(i, IpvsServiceToJs(env, (*out)[i]));
          return a;
        });
  }

  Napi::Value GetService(const Napi::CallbackInfo &info) {
    hb_ipvs_service key = IpvsServiceFromJs(IpvsObject(info, 0, "service"), false);
    auto out = std::make_shared<hb_ipvs_service>();
    return IpvsCall::Start(
        info.Env(), State(info.Env()), [key, out](hb_ipvs *h) { return hb_ipvs_get_service(h, &key, out.get()); },
        [out](Napi::Env env) -> Napi::Value { return IpvsServiceToJs(env, *out); });
  }

  static int PushDest(void *ctx, const hb_ipvs_dest *d) {
    static_cast<std::vector<hb_ipvs_dest> *>(ctx)->push_back(*d);
    return 0;
  }

  Napi::Value ListDests(const Napi::CallbackInfo &info) {
    hb_ipvs_service key = IpvsServiceFromJs(IpvsObject(info, 0, "service"), false);
    auto out = std::make_shared<std::vector<hb_ipvs_dest>>();
    return IpvsCall::Start(
        info.Env(), State(info.Env()), [key, out](hb_ipvs *h) { return hb_ipvs_list_dests(h, &key, PushDest, out.get()); },
        [out, key](Napi::Env env) -> Napi::Value {
          Napi::Array a = Napi::Array::New(env, out->size());
          for (size_t i = 0; i < out->size(); i++) a.Set(i, IpvsDestToJs(env, (*out)[i], key.af));
          return a;
        });
  }

  Napi::Value AddService(const Napi::CallbackInfo &info) {
    hb_ipvs_service s = IpvsServiceFromJs(IpvsObject(info, 0, "service"), true);
    return IpvsCall::Start(info.Env(), State(info.Env()), [s](hb_ipvs *h) { return hb_ipvs_add_service(h, &s); });
  }

  Napi::Value EditService(const Napi::CallbackInfo &info) {
    hb_ipvs_service s = IpvsServiceFromJs(IpvsObject(info, 0, "service"), true);
    return IpvsCall::Start(info.Env(), State(info.Env()), [s](hb_ipvs *h) { return hb_ipvs_edit_service(h, &s); });
  }

  Napi::Value DeleteService(const Napi::CallbackInfo &info) {
    hb_ipvs_service s = IpvsServiceFromJs(IpvsObject(info, 0, "service"), false);
    return IpvsCall::Start(info.Env(), State(info.Env()), [s](hb_ipvs *h) { return hb_ipvs_del_service(h, &s); });
  }

  using DestOp = int (*)(hb_ipvs *, const hb_ipvs_service *, const hb_ipvs_dest *);

  Napi::Value DestCall(const Napi::CallbackInfo &info, DestOp op) {
    hb_ipvs_service s = IpvsServiceFromJs(IpvsObject(info, 0, "service"), false);
    hb_ipvs_dest d = IpvsDestFromJs(IpvsObject(info, 1, "dest"), s.af);
    return IpvsCall::Start(info.Env(), State(info.Env()), [s, d, op](hb_ipvs *h) { return op(h, &s, &d); });
  }

  Napi::Value AddDest(const Napi::CallbackInfo &info) { return DestCall(info, hb_ipvs_add_dest); }
  Napi::Value EditDest(const Napi::CallbackInfo &info) { return DestCall(info, hb_ipvs_edit_dest); }
  Napi::Value DeleteDest(const Napi::CallbackInfo &info) { return DestCall(info, hb_ipvs_del_dest); }

  Napi::Value Flush(const Napi::CallbackInfo &info) {
    return IpvsCall::Start(info.Env(), State(info.Env()), [](hb_ipvs *h) { return hb_ipvs_flush(h); });
  }

  Napi::Value Zero(const Napi::CallbackInfo &info) {
    if (info.Length() == 0 || info[0].IsUndefined() || info[0].IsNull())
      return IpvsCall::Start(info.Env(), State(info.Env()), [](hb_ipvs *h) { return hb_ipvs_zero(h, nullptr); });
    hb_ipvs_service s = IpvsServiceFromJs(IpvsObject(info, 0, "service"), false);
    return IpvsCall::Start(info.Env(), State(info.Env()), [s](hb_ipvs *h) { return hb_ipvs_zero(h, &s); });
  }

  Napi::Value GetTimeouts(const Napi::CallbackInfo &info) {
    auto out = std::make_shared<hb_ipvs_timeouts>();
    return IpvsCall::Start(
        info.Env(), State(info.Env()), [out](hb_ipvs *h) { return hb_ipvs_get_timeouts(h, out.get()); },
        [out](Napi::Env env) -> Napi::Value {
          Napi::Object o = Napi::Object::New(env);
          o.Set("tcp", out->tcp);
          o.Set("tcpFin", out->tcp_fin);
          o.Set("udp", out->udp);
          return o;
        });
  }

  Napi::Value SetTimeouts(const Napi::CallbackInfo &info) {
    Napi::Object o = IpvsObject(info, 0, "timeouts");
    hb_ipvs_timeouts t;
    t.tcp = static_cast<uint32_t>(IpvsInt(o, "tcp", 0, UINT32_MAX, "timeouts"));
    t.tcp_fin = static_cast<uint32_t>(IpvsInt(o, "tcpFin", 0, UINT32_MAX, "timeouts"));
    t.udp = static_cast<uint32_t>(IpvsInt(o, "udp", 0, UINT32_MAX, "timeouts"));
    return IpvsCall::Start(info.Env(), State(info.Env()), [t](hb_ipvs *h) { return hb_ipvs_set_timeouts(h, &t); });
  }

  static int PushDaemon(void *ctx, const hb_ipvs_daemon *d) {
    static_cast<std::vector<hb_ipvs_daemon> *>(ctx)->push_back(*d);
    return 0;
  }

  Napi::Value ListDaemons(const Napi::CallbackInfo &info) {
    auto out = std::make_shared<std::vector<hb_ipvs_daemon>>();
    return IpvsCall::Start(
        info.Env(), State(info.Env()), [out](hb_ipvs *h) { return hb_ipvs_list_daemons(h, PushDaemon, out.get()); },
        [out](Napi::Env env) -> Napi::Value {
          Napi::Array a = Napi::Array::New(env, out->size());
          for (size_t i = 0; i < out->size(); i++) a.Set(i, IpvsDaemonToJs(env, (*out)[i]));
          return a;
        });
  }

  Napi::Value StartDaemon(const Napi::CallbackInfo &info) {
    hb_ipvs_daemon d = IpvsDaemonFromJs(IpvsObject(info, 0, "daemon"));
    return IpvsCall::Start(info.Env(), State(info.Env()), [d](hb_ipvs *h) { return hb_ipvs_start_daemon(h, &d); });
  }

  Napi::Value StopDaemon(const Napi::CallbackInfo &info) {
    if (info.Length() < 1 || !info[0].IsNumber())
      throw Napi::TypeError::New(info.Env(), "state must be a number (1 master, 2 backup)");
    uint32_t state = info[0].As<Napi::Number>().Uint32Value();
    return IpvsCall::Start(info.Env(), State(info.Env()), [state](hb_ipvs *h) { return hb_ipvs_stop_daemon(h, state); });
  }

  // Closes the socket now (waiting for a call in progress, at most the
  // kernel's answer time); later calls reject with EBADF.
  Napi::Value Close(const Napi::CallbackInfo &info) {
    if (st_) {
      std::lock_guard<std::mutex> lock(st_->mu);
      if (st_->open) hb_ipvs_close(&st_->h);
      st_->open = false;
    }
    return info.Env().Undefined();
  }

  Napi::Value FamilyId(const Napi::CallbackInfo &info) {
    if (!st_) return info.Env().Undefined();
    return Napi::Number::New(info.Env(), st_->h.family.id);
  }

  std::shared_ptr<IpvsState> st_;
};

Napi::FunctionReference *ipvs_ctor = nullptr;

class IpvsOpenWorker : public Napi::AsyncWorker {
 public:
  IpvsOpenWorker(Napi::Env env, std::string netns)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), netns_(std::move(netns)),
        st_(std::make_shared<IpvsState>()) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    rc_ = hb_ipvs_open(&st_->h, netns_.empty() ? nullptr : netns_.c_str());
    if (rc_ == 0)
      st_->open = true;
    else
      what_ = hb_ipvs_last_error(&st_->h);
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (rc_ < 0) {
      deferred_.Reject(ErrnoError(env, rc_, what_).Value());
      return;
    }
    Napi::Object obj = ipvs_ctor->New({});
    IpvsHandle::Unwrap(obj)->Adopt(st_);
    deferred_.Resolve(obj);
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::string netns_;
  std::shared_ptr<IpvsState> st_;
  int rc_ = 0;
  std::string what_;
};

Napi::Value IpvsOpen(const Napi::CallbackInfo &info) {
  std::string netns;
  if (info.Length() > 0 && !info[0].IsUndefined() && !info[0].IsNull()) netns = StringArg(info, 0, "netnsPath");
  auto *w = new IpvsOpenWorker(info.Env(), netns);
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

// @@SECTION:IPVS@@ (IPVS glue)

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("coreVersion", Napi::String::New(env, hb_core_version()));
  exports.Set("syslogOpen", Napi::Function::New(env, SyslogOpen, "syslogOpen"));
  exports.Set("syslogWrite", Napi::Function::New(env, SyslogWrite, "syslogWrite"));
  engine_ctor = new Napi::FunctionReference(Napi::Persistent(Engine::Define(env)));
  exports.Set("createEngine", Napi::Function::New(env, CreateEngine, "createEngine"));
  exports.Set("encodeDatagram", Napi::Function::New(env, EncodeDatagram, "encodeDatagram"));
  // @@INIT:ENGINE@@
  net_ctor = new Napi::FunctionReference(Napi::Persistent(NetHandle::Define(env)));
  exports.Set("netOpen", Napi::Function::New(env, NetOpen, "netOpen"));
  // @@INIT:NETRES@@
  ipvs_ctor = new Napi::FunctionReference(Napi::Persistent(IpvsHandle::Define(env)));
  exports.Set("ipvsOpen", Napi::Function::New(env, IpvsOpen, "ipvsOpen"));
  // @@INIT:IPVS@@
  return exports;
}

}  // namespace

NODE_API_MODULE(hbd_native, Init)
