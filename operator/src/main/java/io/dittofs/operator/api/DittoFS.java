package io.dittofs.operator.api;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The {@code DittoFS} custom resource ({@code dittofs.io/v1alpha1}): one DittoFS server set-up
 * (a StatefulSet of servers, their Services and their config file) in a namespace. The CRD YAML is
 * generated from this class, {@link DittoFSSpec} and {@link DittoFSStatus} at build time.
 *
 * <p>Not thread-safe (a Jackson bean); the operator works on copies from its informer cache.
 */
@Group(DittoFS.GROUP)
@Version(DittoFS.VERSION)
@Kind("DittoFS")
@Singular("dittofs")
@Plural("dittofses")
@ShortNames("dfs")
public class DittoFS extends CustomResource<DittoFSSpec, DittoFSStatus> implements Namespaced {
    private static final long serialVersionUID = 1L;

    /** API group of the resource. */
    public static final String GROUP = "dittofs.io";
    /** API version of the resource. */
    public static final String VERSION = "v1alpha1";

    @Override
    protected DittoFSStatus initStatus() {
        return new DittoFSStatus();
    }
}
