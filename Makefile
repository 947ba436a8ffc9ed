# The commands of the README. Each first runs the idempotent set-up.
BUILD_DIR ?= build
JOBS ?= 2
CONFIG ?= configs/default.yaml
EKYA := $(BUILD_DIR)/ekya

.PHONY: setup build run test drift pretrain clean format

setup:
	@bash scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_DIR) -j$(JOBS) -- --no-print-directory

# Trains the base and golden models if they are not cached, then compares
# noretrain, thief and the better pinned uniform baseline (docs/decisions/0004)
# on the default scenario and prints the table. `ekya compare --config
# configs/default.yaml` runs the scenario's whole `compare:` list.
RUN_POLICIES := --policy noretrain --policy thief --policy fair:config=all-h1024-f0.1-e5,inference_fraction=0.5
run: build
	@$(EKYA) pretrain --config $(CONFIG)
	@$(EKYA) compare --config $(CONFIG) $(RUN_POLICIES) --out runs/compare

# Measures the drift benchmark's hardness on the default scenario.
drift: build
	@$(EKYA) pretrain --config $(CONFIG)
	@$(EKYA) drift --config $(CONFIG) --out runs/drift

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

pretrain: build
	@$(EKYA) pretrain --config $(CONFIG)

clean:
	rm -rf $(BUILD_DIR)

format:
	@find src apps tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i
