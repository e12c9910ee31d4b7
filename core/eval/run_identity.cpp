#include "core/eval/run_identity.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <map>

namespace hpf {
namespace {

// Recorded and compared, but never part of a run's identity.
const std::set<std::string> kNotIdentity = {"versions", "device"};

// Fields added after runs were first written: a run.json without them means this value.
const std::map<std::string, QJsonValue> kDefaults = {{"options.method", QJsonValue(QStringLiteral("hpf"))}};

// "options.exponent" -> value, for every leaf of the object (arrays are leaves).
void flatten(const QJsonObject& object, const std::string& prefix, std::map<std::string, QJsonValue>* out) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string key = prefix + it.key().toStdString();
    if (prefix.empty() && kNotIdentity.count(key)) continue;
    if (it.value().isObject()) {
      flatten(it.value().toObject(), key + ".", out);
    } else {
      (*out)[key] = it.value();
    }
  }
}

std::string show(const QJsonValue& value) {
  if (value.isUndefined()) return "absent";
  if (value.isString()) return "'" + value.toString().toStdString() + "'";
  QJsonArray wrapper{value};
  const std::string text = QJsonDocument(wrapper).toJson(QJsonDocument::Compact).toStdString();
  return text.substr(1, text.size() - 2);  // without the wrapper's brackets
}

std::map<std::string, QJsonValue> fields(const std::string& json) {
  std::map<std::string, QJsonValue> out = kDefaults;
  flatten(QJsonDocument::fromJson(QByteArray::fromStdString(json)).object(), "", &out);
  return out;
}

}  // namespace

std::vector<std::string> run_differences(const std::string& recorded_json, const std::string& current_json,
                                         const std::string& recorded_name,
                                         const std::set<std::string>& also_ignored) {
  if (!QJsonDocument::fromJson(QByteArray::fromStdString(recorded_json)).isObject()) {
    return {recorded_name + " is not a run description (invalid JSON)"};
  }
  const std::map<std::string, QJsonValue> recorded = fields(recorded_json), current = fields(current_json);
  // Weights are identified by their bytes where both runs hashed them (the file may have been renamed).
  const bool both_hashed = recorded.count("weights_sha256") && current.count("weights_sha256");
  std::set<std::string> keys;
  for (const auto& [key, value] : recorded) keys.insert(key);
  for (const auto& [key, value] : current) keys.insert(key);
  std::vector<std::string> differences;
  for (const std::string& key : keys) {
    if (also_ignored.count(key)) continue;
    if (key == "weights_sha256" && !both_hashed) continue;
    if (key == "weights" && both_hashed) continue;
    const auto r = recorded.find(key), c = current.find(key);
    const QJsonValue rv = r == recorded.end() ? QJsonValue(QJsonValue::Undefined) : r->second;
    const QJsonValue cv = c == current.end() ? QJsonValue(QJsonValue::Undefined) : c->second;
    if (rv != cv)
      differences.push_back(key + ": " + show(rv) + " in " + recorded_name + ", " + show(cv) + " now");
  }
  return differences;
}

std::string join_differences(const std::vector<std::string>& differences) {
  std::string text;
  for (const std::string& d : differences) text += (text.empty() ? "" : "; ") + d;
  return text;
}

}  // namespace hpf
