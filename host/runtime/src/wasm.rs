use std::sync::Arc;
use std::time::Duration;

use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::{Error, Result};

/// The epoch tick. Deadlines are counted in ticks, so a CPU deadline is accurate to about this.
pub(crate) const TICK: Duration = Duration::from_millis(10);

/// Host-wide settings; per-system limits live in [`crate::Limits`].
#[derive(Debug, Clone, Copy)]
pub struct RuntimeOptions {
    /// Instances that may be alive at once across all systems.
    pub max_instances: u32,
    /// The largest memory cap any system may configure, MiB; sizes the instance pool.
    pub memory_ceiling_mib: u64,
    /// Use the pooling allocator (falls back to on-demand when the pool cannot be reserved).
    pub pooling: bool,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        Self {
            max_instances: 64,
            memory_ceiling_mib: 1024,
            pooling: true,
        }
    }
}

/// The wasm engine shared by every plugin and system.
#[derive(Clone)]
pub struct Runtime {
    engine: Engine,
    pooled: bool,
    _ticker: Arc<Ticker>,
}

impl Runtime {
    /// Builds the engine and starts the epoch ticker.
    pub fn new(options: RuntimeOptions) -> Result<Self> {
        let (engine, pooled) = match options.pooling {
            true => match Engine::new(&config(Some(&options))) {
                Ok(engine) => (engine, true),
                // Machines with a small virtual address space cannot reserve the pool.
                Err(e) => {
                    tracing::warn!(error = %e, "pooling allocator unavailable; using on-demand allocation");
                    (
                        Engine::new(&config(None)).map_err(|e| Error::Engine(e.to_string()))?,
                        false,
                    )
                }
            },
            false => (
                Engine::new(&config(None)).map_err(|e| Error::Engine(e.to_string()))?,
                false,
            ),
        };
        let ticker = Arc::new(Ticker::start(&engine));
        Ok(Self {
            engine,
            pooled,
            _ticker: ticker,
        })
    }

    /// The wasmtime engine, for benchmarks and tools that compile components themselves.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether instances come from the pooling allocator.
    pub fn is_pooled(&self) -> bool {
        self.pooled
    }

    /// Epoch ticks that make up `d`, at least one.
    pub(crate) fn ticks(d: Duration) -> u64 {
        (d.as_millis() / TICK.as_millis()).max(1) as u64
    }
}

fn config(pool: Option<&RuntimeOptions>) -> Config {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    if let Some(options) = pool {
        let n = options.max_instances;
        let mut pooling = PoolingAllocationConfig::default();
        pooling
            .total_component_instances(n)
            .total_core_instances(n * 8)
            .total_memories(n * 2)
            .total_tables(n * 4)
            .total_stacks(n)
            .max_core_instances_per_component(16)
            .max_memories_per_component(2)
            .max_tables_per_component(4)
            .max_memory_size(
                usize::try_from(options.memory_ceiling_mib << 20).unwrap_or(usize::MAX),
            );
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
    }
    config
}

/// Advances the engine's epoch every [`TICK`] until the runtime is dropped.
struct Ticker {
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl Ticker {
    fn start(engine: &Engine) -> Self {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let weak = engine.weak();
        let flag = stop.clone();
        std::thread::Builder::new()
            .name("tessera-epoch".into())
            .spawn(move || {
                while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                    std::thread::sleep(TICK);
                    match weak.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            })
            .expect("the epoch thread can be spawned");
        Self { stop }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}
