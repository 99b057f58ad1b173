//! `tessera:host/xml`: linked when requested and granted. The quick-xml parser with its limits
//! is the capabilities release; until then calls answer `unsupported`.

use wasmtime::component::Resource;

use super::ConfigureContext;
use crate::bindings::host::errors::HostError;
use crate::bindings::host::xml::{
    BuildEvent, Host, HostDocument, HostElement, Namespace, Qname, SoapVersion, XmlAttribute,
};
use crate::host_state::HostState;

pub(crate) struct XmlCap;

/// A parsed document.
pub struct Document;

/// An element of a parsed document.
pub struct Element;

impl XmlCap {
    pub(crate) fn configure(
        ctx: &ConfigureContext<'_>,
        warnings: &mut Vec<String>,
    ) -> Option<Self> {
        let (requested, granted) = (ctx.manifest.capabilities.xml, ctx.spec.grants.xml);
        if granted && !requested {
            warnings.push(format!(
                "{}: granted but the plugin never requested it",
                ctx.caller.key("grants.xml")
            ));
        }
        (requested && granted).then_some(Self)
    }
}

fn unsupported<T>() -> Result<T, HostError> {
    Err(HostError::Unsupported(
        "this host version does not parse XML yet".into(),
    ))
}

impl HostDocument for HostState {
    async fn parse(
        &mut self,
        _text: String,
        _ns: Vec<Namespace>,
    ) -> Result<Resource<Document>, HostError> {
        unsupported()
    }
    async fn select(
        &mut self,
        _this: Resource<Document>,
        _path: String,
    ) -> Result<Vec<Resource<Element>>, HostError> {
        unsupported()
    }
    async fn text(
        &mut self,
        _this: Resource<Document>,
        _path: String,
    ) -> Result<Option<String>, HostError> {
        unsupported()
    }
    async fn drop(&mut self, this: Resource<Document>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl HostElement for HostState {
    async fn name(&mut self, _this: Resource<Element>) -> Qname {
        Qname {
            namespace: String::new(),
            local: String::new(),
        }
    }
    async fn text(&mut self, _this: Resource<Element>) -> String {
        String::new()
    }
    async fn attribute(&mut self, _this: Resource<Element>, _name: Qname) -> Option<String> {
        None
    }
    async fn attributes(&mut self, _this: Resource<Element>) -> Vec<XmlAttribute> {
        Vec::new()
    }
    async fn select(
        &mut self,
        _this: Resource<Element>,
        _path: String,
    ) -> Result<Vec<Resource<Element>>, HostError> {
        unsupported()
    }
    async fn drop(&mut self, this: Resource<Element>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl Host for HostState {
    async fn serialize(&mut self, _events: Vec<BuildEvent>) -> Result<String, HostError> {
        unsupported()
    }
    async fn soap_envelope(
        &mut self,
        _v: SoapVersion,
        _h: Vec<BuildEvent>,
        _b: Vec<BuildEvent>,
    ) -> Result<String, HostError> {
        unsupported()
    }
}
