#include "datasets/download_info.h"

#include "datasets/dataset_error.h"

namespace hpf {

const std::vector<DatasetDownload>& dataset_downloads() {
  static const std::vector<DatasetDownload> table = {
      {"spair",
       "SPair-71k",
       {"http://cvlab.postech.ac.kr/research/SPair-71k/data/SPair-71k.tar.gz"},
       "1KSvB0k2zXA06ojWNvFjBv0Ake426Y76k",
       "Layout",
       "The official archive is complete (Layout/, PairAnnotation/, JPEGImages/, ImageAnnotation/, "
       "Segmentation/)."},
      {"pf-pascal",
       "PF-PASCAL",
       {"https://www.di.ens.fr/willow/research/proposalflow/dataset/PF-dataset-PASCAL.zip"},
       "1OOwpGzJnTsFXYh-YffMQ9XKM_Kl_zdzg",
       "Annotations",
       "The official zip has JPEGImages/ and Annotations/ but not the split lists trn_pairs.csv, "
       "val_pairs.csv "
       "and test_pairs.csv; those come with the reference's PF-PASCAL archive (Google Drive id below) and "
       "must "
       "sit next to Annotations/."},
      {"pf-willow",
       "PF-WILLOW",
       {"https://www.di.ens.fr/willow/research/proposalflow/dataset/PF-dataset.zip"},
       "1tDP0y8RO5s45L-vqnortRaieiWENQco_",
       "test_pairs.csv",
       "test_pairs.csv (paths 'PF-dataset/<sub-class>/<image>') comes with the reference's PF-WILLOW "
       "archive; "
       "it must sit next to the <sub-class>/ image folders such as car(G)/."},
      {"caltech",
       "Caltech-101",
       {"https://data.caltech.edu/records/mzrjq-6wc02",
        "http://www.vision.caltech.edu/Image_Datasets/Caltech101/101_ObjectCategories.tar.gz"},
       "1IV0E5sJ6xSdDyIvVSTdZjPHELMwGzsMn",
       "test_pairs_caltech_with_category.csv",
       "Images: 101_ObjectCategories/ from the Caltech-101 image archive (the CaltechDATA record ships it "
       "inside caltech-101.zip; the second URL is the legacy location). The pair list "
       "test_pairs_caltech_with_category.csv is hosted only on the reference's Google Drive archive; put it "
       "next to 101_ObjectCategories/."},
  };
  return table;
}

std::string offline_instructions(const std::string& kind) {
  for (const DatasetDownload& entry : dataset_downloads()) {
    if (entry.kind != kind) continue;
    std::string text = entry.title + " is not available offline. On a machine with internet access:\n";
    text += "  1. Download:\n";
    for (const std::string& url : entry.urls) text += "       " + url + "\n";
    text += "     or the reference implementation's bundle: https://drive.google.com/uc?export=download&id=" +
            entry.reference_drive_id + "\n";
    text += "  2. " + entry.notes + "\n";
    text +=
        "  3. Copy the archive (.zip/.tar.gz, no need to unpack) or the unpacked folder to this machine and "
        "open it; the dataset root is the folder containing '" +
        entry.marker + "'.\n";
    return text;
  }
  throw DatasetError("unknown dataset kind '" + kind + "' for download instructions");
}

}  // namespace hpf
