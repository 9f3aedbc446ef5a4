/**
 * portgate, a TCP and UDP layer-4 load balancer, as a library: the facade ({@code io.portgate}), the configuration
 * model with its loader and builders ({@code io.portgate.config}), and the extension points ({@code io.portgate.spi}).
 * Every other package is internal and may change in any release.
 *
 * <p>Agrona and HdrHistogram are automatic modules (their jars name no module descriptor), hence the suppression.
 */
@SuppressWarnings("requires-automatic")
module io.portgate.core
{
    requires org.agrona;
    requires org.jctools.core;
    requires HdrHistogram;
    requires org.snakeyaml.engine;
    requires java.management;

    exports io.portgate;
    exports io.portgate.config;
    exports io.portgate.spi;
}
