//! What one plugin instance sees: an empty WASI context, a memory limiter, captured output and
//! the capability states prepared for its system.

use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::capability::Capabilities;
use crate::capability::log::LogBudget;
use crate::host_memory::HostMemory;

/// Bytes of guest stdout and stderr kept per run; enough for panic messages and logs.
const OUTPUT_CAPACITY: usize = 256 * 1024;

/// Memory limiter that remembers a refused grow, so a trap can be named as exhaustion.
pub(crate) struct Limiter {
    inner: StoreLimits,
    cap: usize,
    pub exhausted: Option<String>,
}

impl Limiter {
    fn new(cap: usize) -> Self {
        let inner = StoreLimitsBuilder::new()
            .memory_size(cap)
            .instances(32)
            .tables(32)
            .memories(4)
            .build();
        Self {
            inner,
            cap,
            exhausted: None,
        }
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.inner.memory_growing(current, desired, maximum)?;
        if !allowed {
            self.exhausted = Some(format!(
                "memory cap of {} MiB reached (asked to grow from {} to {} bytes)",
                self.cap >> 20,
                current,
                desired
            ));
        }
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.inner.table_growing(current, desired, maximum)
    }

    fn instances(&self) -> usize {
        self.inner.instances()
    }

    fn tables(&self) -> usize {
        self.inner.tables()
    }

    fn memories(&self) -> usize {
        self.inner.memories()
    }
}

/// Store data of one plugin instance.
pub(crate) struct HostState {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub limiter: Limiter,
    pub caps: Arc<Capabilities>,
    pub stdout: MemoryOutputPipe,
    pub stderr: MemoryOutputPipe,
    /// What the host holds for this instance (documents, handles, searches, bodies).
    pub memory: HostMemory,
    /// What the plugin logged this run, and the secret values its lines must not show.
    pub log: LogBudget,
}

impl HostState {
    pub fn new(caps: Arc<Capabilities>, memory_cap: usize, host_memory_cap: usize) -> Self {
        let stdout = MemoryOutputPipe::new(OUTPUT_CAPACITY);
        let stderr = MemoryOutputPipe::new(OUTPUT_CAPACITY);
        let wasi = WasiCtx::builder()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        Self {
            wasi,
            table: ResourceTable::new(),
            limiter: Limiter::new(memory_cap),
            caps,
            stdout,
            stderr,
            memory: HostMemory::new(host_memory_cap),
            log: LogBudget::default(),
        }
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}
