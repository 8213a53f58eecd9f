package io.github.famfs.nio;

import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;

/**
 * Owners and groups of famfs files. famfs stores numeric ids, meaningful across the hosts that share the
 * device, so principals are named by their decimal id ("1000"), never by this host's passwd.
 */
final class FamfsPrincipals extends UserPrincipalLookupService {
    record User(int id) implements UserPrincipal {
        @Override
        public String getName() {
            return Integer.toUnsignedString(id);
        }

        @Override
        public String toString() {
            return getName();
        }
    }

    record Group(int id) implements GroupPrincipal {
        @Override
        public String getName() {
            return Integer.toUnsignedString(id);
        }

        @Override
        public String toString() {
            return getName();
        }
    }

    @Override
    public UserPrincipal lookupPrincipalByName(String name) throws UserPrincipalNotFoundException {
        return new User(parse(name));
    }

    @Override
    public GroupPrincipal lookupPrincipalByGroupName(String group) throws UserPrincipalNotFoundException {
        return new Group(parse(group));
    }

    private static int parse(String name) throws UserPrincipalNotFoundException {
        try {
            return Integer.parseUnsignedInt(name);
        } catch (NumberFormatException e) {
            throw new UserPrincipalNotFoundException(name + " (famfs owners are numeric ids)");
        }
    }
}
