package io.dittofs.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/**
 * The control-plane database in PostgreSQL ({@code database.postgres.*} of the server); without it
 * each pod keeps a SQLite database in its data volume.
 *
 * <p>Not thread-safe (a Jackson bean).
 */
public class DatabaseSpec {
    @Required
    @JsonPropertyDescription("PostgreSQL host (DITTOFS_DATABASE_POSTGRES_HOST)")
    private String host;

    @Default("5432")
    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("PostgreSQL port")
    private int port = 5432;

    @Default("dittofs")
    @JsonPropertyDescription("PostgreSQL user")
    private String user = "dittofs";

    @Default("dittofs")
    @JsonPropertyDescription("PostgreSQL database")
    private String dbname = "dittofs";

    @JsonPropertyDescription("Secret key holding the PostgreSQL password (DITTOFS_DATABASE_POSTGRES_PASSWORD)")
    private SecretKeyRef passwordSecretRef;

    @JsonPropertyDescription("also keep the default share's metadata in this PostgreSQL server "
            + "(storage.default.metadata=postgres, first start only)")
    private boolean metadata;

    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        this.host = host;
    }

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public String getUser() {
        return user;
    }

    public void setUser(String user) {
        this.user = user;
    }

    public String getDbname() {
        return dbname;
    }

    public void setDbname(String dbname) {
        this.dbname = dbname;
    }

    public SecretKeyRef getPasswordSecretRef() {
        return passwordSecretRef;
    }

    public void setPasswordSecretRef(SecretKeyRef passwordSecretRef) {
        this.passwordSecretRef = passwordSecretRef;
    }

    public boolean isMetadata() {
        return metadata;
    }

    public void setMetadata(boolean metadata) {
        this.metadata = metadata;
    }
}
