#pragma once
// The output folder of a resumable job (an evaluation, a layer search): a description file that says which
// run it holds, and append-only record files. A new run writes its description and empty record files, and
// refuses a folder that already has records; a resume checks that the recorded description is the same run
// (run_identity.h), names every differing field if not, and cuts a killed writer's partial lines.

#include <string>
#include <vector>

namespace hpf {

struct RunFolder {
  std::string dir;
  std::string description_file;           // "run.json", "search_run.json"
  std::vector<std::string> record_files;  // "pairs.jsonl", ...; the first is the one a run must not overwrite
  std::string kind = "run";               // "run" or "search", for messages

  std::string path(const std::string& file) const { return dir + "/" + file; }

  // Prepares the folder for `description` (JSON text); returns true when it resumes records already there.
  // Throws std::runtime_error naming the folder or file and what is wrong.
  bool open(const std::string& description, bool resume) const;
};

}  // namespace hpf
