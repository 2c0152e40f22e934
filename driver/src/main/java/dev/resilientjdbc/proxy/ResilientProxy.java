package dev.resilientjdbc.proxy;

/**
 * Implemented by every JDBC object resilient-jdbc hands to an application. {@code
 * x.isWrapperFor(ResilientProxy.class)} tells whether an object came from us; {@code
 * x.unwrap(SomeVendorType.class)} reaches the real driver's object behind it.
 */
public interface ResilientProxy {
}
