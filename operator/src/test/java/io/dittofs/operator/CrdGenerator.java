package io.dittofs.operator;

import io.dittofs.operator.api.DittoFS;
import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.File;

/**
 * Build step (exec:exec in operator/pom.xml, phase process-test-classes): writes the CRD of
 * {@link DittoFS} generated from the Java types to {@code target/classes/META-INF/fabric8/}. It runs
 * on the build's JDK 25 toolchain in its own JVM: the CRD generator's Maven plugin would load the
 * classes into Maven's JVM, which may be older than the classes. Not shipped (test scope).
 *
 * <p>Stateless.
 */
final class CrdGenerator {
    private CrdGenerator() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: CrdGenerator OUTPUT_DIR");
        }
        File out = new File(args[0]);
        if (!out.isDirectory() && !out.mkdirs()) {
            throw new IllegalStateException("cannot create " + out);
        }
        int n = new CRDGenerator()
                .inOutputDir(out)
                .forCRDVersions("v1")
                .withParallelGenerationEnabled(false)
                .customResourceClasses(DittoFS.class)
                .generate();
        System.out.println("CrdGenerator: " + n + " CRD(s) written to " + out + " (Java " + Runtime.version() + ")");
    }
}
